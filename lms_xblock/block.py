"""``UnionLmsXBlock``: a module of the union LMS inside an Open edX course.

The student view opens the module from the backend in an iframe through a signed, short-lived launch,
and asks the backend (server to server, signed) for the learner's result, which it publishes to the
platform as grade and completion. The iframe page tells the block's JavaScript when the module ends;
the ``refresh`` handler then asks the backend again. Nothing the browser sends is taken as a result.
"""

from __future__ import annotations

import html
import importlib.resources
import logging
from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Float, Scope, String
from xblock.utils.studio_editable import StudioEditableXBlockMixin
from xblock.validation import ValidationMessage

from lms_xblock import client
from lms_xblock.secrets import find_secret
from lms_xblock.signing import KINDS

log = logging.getLogger(__name__)


def _resource(path: str) -> str:
    """A text file shipped in this package (``static/…``)."""
    return (importlib.resources.files("lms_xblock") / path).read_text(encoding="utf-8")


@XBlock.needs("user")
@XBlock.wants("settings")
class UnionLmsXBlock(StudioEditableXBlockMixin, CompletableXBlockMixin, XBlock):
    """A module of the union cadre LMS, launched in an iframe and graded by the backend."""

    display_name = String(display_name="Tên hiển thị / Display name", scope=Scope.settings,
                          default="Học phần đào tạo cán bộ công đoàn",
                          help="Tên khối trong khoá học. / The title shown in the course.")
    backend_url = String(display_name="Địa chỉ hệ thống LMS / Backend URL", scope=Scope.settings, default="",
                         help="Ví dụ https://lms.congdoan.vn — no trailing path. / The LMS backend's base URL.")
    module_code = String(display_name="Mã học phần / Module code", scope=Scope.settings, default="",
                         help="Mã học phần trên LMS, ví dụ ATVSLD. / The module code on the LMS backend.")
    consumer_key = String(display_name="Khoá consumer / Consumer key", scope=Scope.settings, default="",
                          help="Khoá do quản trị LMS cấp; bí mật đặt trong cấu hình nền tảng, không trong khoá học. "
                               "/ The key issued by the LMS admin; its secret lives in platform settings.")
    kind = String(display_name="Loại nội dung / Kind", scope=Scope.settings, default="auto",
                  values=[{"display_name": "Tự động (gói SCORM, hoặc bài kiểm tra khi học phần chỉ có bài kiểm tra) "
                                           "/ Auto", "value": "auto"},
                          {"display_name": "Học phần SCORM / SCORM module", "value": "module"},
                          {"display_name": "Bài kiểm tra của học phần / The module's quiz", "value": "quiz"}],
                  help="Mở gói SCORM hay bài kiểm tra của học phần; 'Tự động' mở bài kiểm tra khi học phần có bài "
                       "kiểm tra mà không có gói SCORM. / Launch the SCORM package or the module's quiz; 'auto' "
                       "launches the quiz when the module has one and no package.")
    weight = Float(display_name="Trọng số / Weight", scope=Scope.settings, default=1.0,
                   help="Điểm tối đa của khối. / The block's maximum score.")

    #: the last grade fraction published (0–1), so an unchanged result is not published again
    published_score = Float(scope=Scope.user_state, default=None)
    #: the last completion published (0–1)
    published_completion = Float(scope=Scope.user_state, default=0.0)
    #: the backend's last answer, shown on the page: status, success
    last_status = String(scope=Scope.user_state, default="")

    editable_fields = ("display_name", "backend_url", "module_code", "kind", "consumer_key", "weight")
    has_score = True
    icon_class = "problem"

    # --- grading -----------------------------------------------------------------------------------

    def max_score(self) -> float:
        """The most this block is worth: its weight."""
        return float(self.weight or 0)

    def _learner(self) -> client.Learner:
        """The current learner as the platform shares them (anonymous id; email and name when shared)."""
        user = self.runtime.service(self, "user").get_current_user()
        anon = (user.opt_attrs.get("edx-platform.anonymous_user_id")
                or getattr(self.runtime, "anonymous_student_id", None) or "")
        emails = list(user.emails or [])
        return client.Learner(anonymous_user_id=str(anon), email=emails[0] if emails else "",
                              full_name=user.full_name or "")

    def _secret(self) -> str | None:
        bucket = None
        settings_service = self.runtime.service(self, "settings")
        if settings_service is not None:
            bucket = settings_service.get_settings_bucket(self)
        return find_secret(self.consumer_key, bucket)

    def configuration_problem(self) -> str | None:
        """Why the block cannot launch (Vietnamese), or None when it is ready."""
        if not client.valid_backend_url(self.backend_url):
            return "Khối chưa được cấu hình địa chỉ hệ thống LMS."
        if not self.module_code or not self.consumer_key:
            return "Khối chưa được cấu hình mã học phần hoặc khoá consumer."
        if self._secret() is None:
            return "Chưa có khoá bí mật cho consumer này trong cấu hình nền tảng (UNION_LMS_SECRETS)."
        return None

    def refresh_result(self) -> client.Result | None:
        """Ask the backend for the learner's result and publish grade and completion when they changed."""
        if self.configuration_problem() is not None:
            return None
        result = client.fetch_results(self.backend_url, self.consumer_key, self._secret() or "", self.module_code,
                                      self._learner(), kind=self.kind)
        if result is not None:
            self.last_status = result.status
            self._publish(result)
        return result

    def _publish(self, result: client.Result) -> None:
        fraction = result.score if result.score is not None else (1.0 if result.completed else None)
        if fraction is not None and fraction != self.published_score:
            self.runtime.publish(self, "grade", {"value": round(fraction * self.max_score(), 4),
                                                 "max_value": self.max_score()})
            self.published_score = fraction
        completion = 1.0 if result.completed else result.completion
        if completion > (self.published_completion or 0.0):
            self.emit_completion(completion)
            self.published_completion = completion

    # --- views -------------------------------------------------------------------------------------

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        """The module in an iframe (a fresh signed launch), with the result fetched from the backend."""
        problem = self.configuration_problem()
        result = None if problem else self.refresh_result()
        src = "" if problem else client.launch_url(self.backend_url, self.consumer_key, self._secret() or "",
                                                   self.module_code, self._learner(), kind=self.kind)
        frag = Fragment(_resource("static/html/union_lms.html").format(
            title=html.escape(self.display_name), src=html.escape(src, quote=True),
            problem=html.escape(problem or ""), problem_hidden="" if problem else "hidden",
            frame_hidden="hidden" if problem else "", status=html.escape(self.status_text(result)),
        ))
        frag.add_css(_resource("static/css/union_lms.css"))
        frag.add_javascript(_resource("static/js/union_lms.js"))
        frag.initialize_js("UnionLmsXBlock", {
            "backendOrigin": client.backend_origin(self.backend_url) if not problem else "",
            "refreshUrl": self.runtime.handler_url(self, "refresh"),
        })
        return frag

    def status_text(self, result: client.Result | None) -> str:
        """One line for the learner: where they stand, in Vietnamese."""
        if result is None:
            return ""
        if result.status == "pending":
            return "Tài khoản chưa được liên kết: đăng nhập tài khoản hệ thống đào tạo trong khung, hoặc chờ quản trị viên xác nhận."
        if result.kind == "quiz" and result.completed:
            score = "" if result.score is None else f" — điểm {round(result.score * 100)}%"
            verdict = {"passed": " (đạt)", "failed": " (chưa đạt)"}.get(result.success, "")
            return f"Đã nộp bài kiểm tra{score}{verdict}."
        if result.kind == "quiz" and result.status == "linked" and result.completion == 0:
            return "Chưa nộp bài kiểm tra."
        if result.completed:
            score = "" if result.score is None else f" — điểm {round(result.score * 100)}%"
            return f"Đã hoàn thành{score}."
        if result.completion > 0:
            return f"Đang học ({round(result.completion * 100)}%)."
        return "Chưa bắt đầu."

    @XBlock.json_handler
    def refresh(self, data: Any, suffix: str = "") -> dict[str, Any]:
        """Called by the block's JS when the module page reports an end or progress. Any score in the
        request is ignored: the result is asked from the backend."""
        result = self.refresh_result()
        if result is None:
            return {"ok": False, "message": "Không lấy được kết quả từ hệ thống LMS; hãy thử tải lại trang."}
        return {"ok": True, "status": result.status, "completion": result.completion, "completed": result.completed,
                "success": result.success, "score": result.score, "text": self.status_text(result)}

    def validate_field_data(self, validation, data) -> None:
        """Studio checks: an http(s) backend URL, a module code, a consumer key, a known kind and a weight ≥ 0."""
        if not client.valid_backend_url(data.backend_url):
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             "Địa chỉ LMS phải là URL http(s) đầy đủ. / The backend URL must be http(s)."))
        if not (data.module_code or "").strip():
            validation.add(ValidationMessage(ValidationMessage.ERROR, "Cần mã học phần. / A module code is required."))
        if not (data.consumer_key or "").strip():
            validation.add(ValidationMessage(ValidationMessage.ERROR, "Cần khoá consumer. / A consumer key is required."))
        if (data.kind or "auto") not in KINDS:
            validation.add(ValidationMessage(ValidationMessage.ERROR,
                                             "Loại nội dung phải là auto, module hoặc quiz. / The kind must be auto, "
                                             "module or quiz."))
        if data.weight is None or data.weight < 0:
            validation.add(ValidationMessage(ValidationMessage.ERROR, "Trọng số phải ≥ 0. / The weight must be ≥ 0."))

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        """A scenario for the xblock-sdk workbench."""
        return [("Union LMS module", """<union_lms backend_url="http://127.0.0.1:5000" module_code="ATVSLD"
                 consumer_key="openedx-demo" weight="1.0"/>"""),
                ("Union LMS quiz", """<union_lms backend_url="http://127.0.0.1:5000" module_code="ATVSLD"
                 kind="quiz" consumer_key="openedx-demo" weight="1.0"/>""")]
