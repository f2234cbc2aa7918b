"""pylti1p3's refusals as Vietnamese messages with a 4xx (the page shows in the platform's iframe)."""

from __future__ import annotations

from lms.core.errors import UserError

#: (what pylti1p3's message contains, code, status, Vietnamese, English)
RULES = [
    ("error during fetch url", "lti_jwks", 403, "Không tải được khoá công khai của nền tảng.",
     "The platform's public keys could not be fetched."),
    ("must be json", "lti_jwks", 403, "Không tải được khoá công khai của nền tảng.",
     "The platform's public keys could not be fetched."),
    ("expired", "lti_expired", 401, "Phiên mở học phần từ nền tảng đã hết hạn; hãy mở lại học phần.",
     "The platform's launch has expired; open the module again."),
    ("nonce", "lti_replay", 403, "Yêu cầu mở học phần này đã được dùng; hãy mở lại từ nền tảng.",
     "This launch was already used; open the module again from the platform."),
    ("state", "lti_state", 400, "Phiên đăng nhập LTI không hợp lệ hoặc đã hết hạn; hãy mở lại từ nền tảng.",
     "The LTI login is invalid or has expired; open the module again from the platform."),
    ("deployment", "lti_deployment", 403, "Mã triển khai (deployment id) chưa được đăng ký cho nền tảng này.",
     "This deployment id is not registered for the platform."),
    ("signature", "lti_signature", 403, "Chữ ký của nền tảng không hợp lệ; yêu cầu bị từ chối.",
     "The platform's signature is invalid; the launch is refused."),
    ("public key", "lti_signature", 403, "Không kiểm tra được chữ ký của nền tảng (khoá không khớp).",
     "The platform's signature cannot be checked (no matching key)."),
]


def refusal(code: str) -> UserError:
    """The refusal with ``code`` (one of :data:`RULES`, or unknown_issuer / wrong_audience / …)."""
    extra = {
        "lti_unknown_issuer": (403, "Nền tảng (issuer) chưa được đăng ký với hệ thống.",
                               "The platform (issuer) is not registered."),
        "lti_audience": (403, "Mã client (audience) không khớp với nền tảng đã đăng ký.",
                         "The audience (client id) does not match the registered platform."),
        "lti_message": (400, "Thông điệp LTI không hợp lệ.", "The LTI message is invalid."),
        "lti_role": (403, "Chỉ giảng viên của khoá học trên nền tảng mới chọn được học phần.",
                     "Only the course's instructors on the platform can pick a module."),
        "lti_module": (400, "Liên kết LTI không chỉ ra học phần nào.", "The LTI link names no module."),
        "lti_ticket": (400, "Liên kết đã hết hạn hoặc đã được dùng; hãy mở lại học phần từ nền tảng.",
                       "The link has expired or was already used; open the module again from the platform."),
        "lti_user": (403, "Tài khoản đã liên kết không còn dùng được; hãy liên hệ quản trị.",
                     "The linked account can no longer be used; contact an administrator."),
    }
    for _needle, rule_code, status, vi, en in RULES:
        if rule_code == code:
            return UserError(vi, en, status=status, code=code)
    status, vi, en = extra.get(code, extra["lti_message"])
    return UserError(vi, en, status=status, code=code)


def from_exception(message: str) -> UserError:
    """The refusal for pylti1p3's exception ``message``."""
    lowered = message.lower()
    for needle, code, _status, _vi, _en in RULES:
        if needle in lowered:
            return refusal(code)
    if "registration" in lowered or "client id" in lowered:
        return refusal("lti_audience")
    return refusal("lti_message")
