"""User-facing errors: a clear message (Vietnamese first), a 4xx status, JSON or HTML as asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

#: (status) -> (Vietnamese, English) default messages
DEFAULT_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ.", "Bad request."),
    401: ("Bạn cần đăng nhập.", "Please log in."),
    403: ("Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
    404: ("Không tìm thấy trang hoặc dữ liệu.", "Not found."),
    405: ("Phương thức không được hỗ trợ.", "Method not allowed."),
    409: ("Dữ liệu đã thay đổi, vui lòng tải lại.", "Conflict: the data has changed."),
    413: ("Tệp tải lên quá lớn.", "The upload is too large."),
    422: ("Dữ liệu không hợp lệ.", "Invalid data."),
    429: ("Quá nhiều yêu cầu, vui lòng thử lại sau.", "Too many requests; try again later."),
    500: ("Lỗi hệ thống. Dữ liệu của bạn chưa bị thay đổi.", "Server error. Nothing was changed."),
}


@dataclass
class UserError(Exception):
    """An error the user can act on. Raised by services; turned into a 4xx by the error handler."""

    message_vi: str
    message_en: str = ""
    status: int = 400
    code: str = "error"
    details: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message_en or self.message_vi)

    def message(self) -> str:
        """The message in the current UI language (Vietnamese when unknown)."""
        return localized(self.message_vi, self.message_en)


def localized(message_vi: str, message_en: str | None) -> str:
    """Pick the Vietnamese or English text by the current locale; Vietnamese is the fallback."""
    try:
        lang = str(get_locale() or "vi")
    except Exception:  # outside a request
        lang = "vi"
    if lang.startswith("en") and message_en:
        return message_en
    return message_vi


def wants_json() -> bool:
    """True when the client asked for JSON (API, fetch) rather than a page."""
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, code: str, details: list | None = None) -> tuple[Response | str, int]:
    """Render an error as JSON or as the error page."""
    if wants_json():
        body: dict[str, Any] = {"error": {"code": code, "message": message, "status": status}}
        if details:
            body["error"]["details"] = details
        return jsonify(body), status
    return render_template("error.html", status=status, message=message, details=details or []), status


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(UserError)
    def _user_error(exc: UserError):
        return error_response(exc.status, exc.message(), exc.code, exc.details)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(
            400,
            localized("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (CSRF). Hãy tải lại trang.",
                      "The form expired or is invalid (CSRF). Reload the page."),
            "csrf",
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        vi, en = DEFAULT_MESSAGES.get(status, (exc.name, exc.name))
        description = getattr(exc, "lms_message", None)
        return error_response(status, description or localized(vi, en), exc.name.lower().replace(" ", "_"))

    @app.errorhandler(500)
    def _server_error(exc):  # pragma: no cover - exercised only on bugs
        vi, en = DEFAULT_MESSAGES[500]
        return error_response(500, localized(vi, en), "server_error")
