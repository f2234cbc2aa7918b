"""The sequencing findings: stable codes with their Vietnamese and English messages.

``sequencing.uses_*`` are information (what the package's sequencing does), ``sequencing.not_applied``
and the others are warnings. Every code is documented in ``docs/sequencing.md``.
"""

from __future__ import annotations

from scorm.issues import Catalog, Issue, make_issue

__all__ = ["INFO", "MESSAGES", "seq_issue"]

#: validation warnings: code -> (Vietnamese, English)
WARNINGS: Catalog = {
    "sequencing.collection_without_id": (
        "Một mục trong sequencingCollection không có ID nên không thể được tham chiếu.",
        "An entry of the sequencingCollection has no ID and cannot be referenced."),
    "sequencing.unknown_value": (
        "Giá trị sequencing không hợp lệ, trình phát sẽ bỏ qua: {detail}.",
        "An invalid sequencing value will be ignored by the player: {detail}."),
    "sequencing.measure_threshold_missing": (
        "Điều kiện so sánh điểm thiếu measureThreshold: {detail}.",
        "A measure comparison condition has no measureThreshold: {detail}."),
    "sequencing.referenced_objective_missing": (
        "referencedObjective không phải mục tiêu của hoạt động: {detail}.",
        "referencedObjective is not an objective of the activity: {detail}."),
    "sequencing.target_objective_missing": (
        "mapInfo thiếu targetObjectiveID: {detail}.", "A mapInfo has no targetObjectiveID: {detail}."),
    "sequencing.objective_id_missing": (
        "Mục tiêu (objective) thiếu objectiveID: {detail}.", "An objective has no objectiveID: {detail}."),
    "sequencing.duplicate_objective": (
        "objectiveID bị trùng trong cùng một hoạt động: {detail}.",
        "An objectiveID is used twice in one activity: {detail}."),
    "sequencing.primary_objective_count": (
        "Hoạt động có nhiều hơn một mục tiêu chính (primaryObjective): {detail}.",
        "An activity has more than one primaryObjective: {detail}."),
    "sequencing.global_write_conflict": (
        "Nhiều mục tiêu của cùng một hoạt động cùng ghi vào một mục tiêu toàn cục: {detail}.",
        "Several objectives of one activity write the same global objective: {detail}."),
    "sequencing.adl_objective_unmatched": (
        "adlseq:objective không khớp với imsss:objective nào: {detail}.",
        "An adlseq:objective matches no imsss:objective: {detail}."),
    "sequencing.rule_without_condition": (
        "Quy tắc không có điều kiện nào và bị bỏ qua: {detail}.",
        "A rule has no condition and is ignored: {detail}."),
    "sequencing.duration_invalid": (
        "attemptAbsoluteDurationLimit không phải khoảng thời gian hợp lệ: {detail}.",
        "attemptAbsoluteDurationLimit is not a valid duration: {detail}."),
    "sequencing.select_count_too_large": (
        "selectCount lớn hơn số hoạt động con: {detail}.",
        "selectCount is larger than the number of children: {detail}."),
    "sequencing.not_applied": (
        "Trình phát chưa áp dụng các phần sequencing sau, gói có thể không chạy đúng như tác giả thiết kế: {detail}.",
        "The player does not apply these sequencing features yet; the package may not behave as designed: "
        "{detail}."),
}

#: information about the sequencing features the package uses: code -> (Vietnamese, English)
INFO: Catalog = {
    "sequencing.uses_forced_flow": (
        "Gói dùng điều hướng tuần tự bắt buộc (flow, choice=false): {detail}.",
        "The package forces sequential navigation (flow, choice=false): {detail}."),
    "sequencing.uses_flow": (
        "Gói cho phép đi tiếp/lùi theo thứ tự (flow=true): {detail}.",
        "The package allows continue/previous in order (flow=true): {detail}."),
    "sequencing.uses_forward_only": (
        "Chỉ được đi tiến, không được quay lại (forwardOnly): {detail}.",
        "Forward only, no going back (forwardOnly): {detail}."),
    "sequencing.uses_choice_exit_off": (
        "Không được chọn hoạt động ngoài hoạt động đang học (choiceExit=false): {detail}.",
        "No choosing activities outside the current one (choiceExit=false): {detail}."),
    "sequencing.uses_precondition": (
        "Quy tắc tiền điều kiện: {detail}.", "Precondition rules: {detail}."),
    "sequencing.uses_exitcondition": (
        "Quy tắc điều kiện thoát: {detail}.", "Exit condition rules: {detail}."),
    "sequencing.uses_postcondition": (
        "Quy tắc hậu điều kiện: {detail}.", "Postcondition rules: {detail}."),
    "sequencing.uses_rollup": (
        "Cuộn lên (rollup) tùy chỉnh: {detail}.", "Custom rollup: {detail}."),
    "sequencing.uses_rollup_excluded": (
        "Hoạt động không được tính khi cuộn lên: {detail}.", "Activities left out of rollup: {detail}."),
    "sequencing.uses_rollup_considerations": (
        "Điều kiện tính khi cuộn lên (rollupConsiderations): {detail}.",
        "Rollup considerations: {detail}."),
    "sequencing.uses_global_objectives": (
        "Mục tiêu toàn cục: {detail}.", "Global objectives: {detail}."),
    "sequencing.uses_attempt_limit": (
        "Giới hạn số lượt học (attemptLimit): {detail}.", "Attempt limits (attemptLimit): {detail}."),
    "sequencing.uses_duration_limit": (
        "Giới hạn thời gian mỗi lượt (attemptAbsoluteDurationLimit): {detail}.",
        "Attempt duration limits (attemptAbsoluteDurationLimit): {detail}."),
    "sequencing.uses_randomization": (
        "Chọn/xáo trộn ngẫu nhiên hoạt động con: {detail}.", "Random selection/ordering of children: {detail}."),
    "sequencing.uses_delivery_controls": (
        "Điều khiển phân phối (deliveryControls) khác mặc định: {detail}.",
        "Delivery controls other than the defaults: {detail}."),
    "sequencing.uses_constrained_choice": (
        "Giới hạn lựa chọn (constrainedChoiceConsiderations): {detail}.",
        "Constrained choice: {detail}."),
    "sequencing.uses_hidden_ui": (
        "Ẩn nút điều hướng của LMS (hideLMSUI): {detail}.", "LMS navigation controls hidden (hideLMSUI): {detail}."),
    "sequencing.uses_measure_satisfaction": (
        "Đạt theo điểm (satisfiedByMeasure): {detail}.", "Satisfied by measure (satisfiedByMeasure): {detail}."),
    "sequencing.uses_auxiliary_resources": (
        "Tài nguyên phụ trợ (auxiliaryResources, SCORM không yêu cầu hỗ trợ): {detail}.",
        "Auxiliary resources (auxiliaryResources, not required by SCORM): {detail}."),
}

MESSAGES: Catalog = {**WARNINGS, **INFO}


def seq_issue(code: str, detail: object = "", path: str | None = None) -> Issue:
    """The sequencing finding ``code`` with ``detail`` filled into its messages."""
    return make_issue(code, str(detail), path, MESSAGES)
