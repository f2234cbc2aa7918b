"""The sequencing scenarios of ``tests/scorm/seq_manifests.py`` as courses for ``scorm.build_course`` (issue 17:
the Chromium tests play packages built by the builder). Same identifiers, titles and sequencing, so the
engine sees the same activity tree (tests/scorm/test_sequencing_tree.py checks it). Sections: SN book."""

from __future__ import annotations

from scorm.build_course import Activity, CourseSource
from scorm.sequencing import (
    ControlMode,
    LimitConditions,
    MapInfo,
    Objective,
    RollupCondition,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
)

FLOW_ONLY = Sequencing(control_mode=ControlMode(choice=False, flow=True))
FLOW_CHOICE = Sequencing(control_mode=ControlMode(choice=True, flow=True))


def _course(ident: str, activities: tuple[Activity, ...], root: Sequencing) -> CourseSource:
    return CourseSource(ident, ident, activities, sequencing=root)


#: SN 3.2 (flow, choice off)
FORCED = _course("SEQ_FORCED", tuple(Activity(f"s{i}", f"Bài {i}") for i in (1, 2, 3)), FLOW_ONLY)

#: SN 3.4 pre-condition "satisfied → skip" on a global objective (SN 3.10.1) written by the pre-test
PRETEST = _course("SEQ_PRETEST", (
    Activity("pre", "Kiểm tra đầu vào", sequencing=Sequencing(objectives=(Objective(
        "pre_obj", primary=True, satisfied_by_measure=True, min_normalized_measure=0.8,
        map_info=(MapInfo("urn:seq:mastery", write_satisfied_status=True),)),))),
    Activity("content", "Nội dung", sequencing=Sequencing(
        sequencing_rules=(SequencingRule("pre", "skip", (RuleCondition("satisfied"),)),),
        objectives=(Objective("content_obj", primary=True, map_info=(MapInfo("urn:seq:mastery"),)),))),
    Activity("post", "Kiểm tra cuối"),
), FLOW_ONLY)

_ANY = "any"
#: SN 3.7/3.8 rollup: only the post-test counts
POSTTEST = _course("SEQ_POSTTEST", (
    Activity("lesson", "Bài học", sequencing=Sequencing(rollup_rules=RollupRules(
        rollup_objective_satisfied=False, rollup_progress_completion=False, objective_measure_weight=0.0))),
    Activity("final", "Bài kiểm tra cuối", sequencing=Sequencing(objectives=(Objective(
        "post_obj", primary=True, satisfied_by_measure=True, min_normalized_measure=0.6),))),
), Sequencing(control_mode=ControlMode(choice=True, flow=True), rollup_rules=RollupRules(rules=(
    RollupRule("satisfied", (RollupCondition("satisfied"),), child_activity_set=_ANY),
    RollupRule("completed", (RollupCondition("completed"),), child_activity_set=_ANY)))))

#: SN 3.2.2 choiceExit=false on a cluster; SN 3.4.2 hiddenFromChoice
CHOICE = _course("SEQ_CHOICE", (
    Activity("unit", "Chương 1", children=(Activity("u1", "Bài 1.1"), Activity("u2", "Bài 1.2")),
             sequencing=Sequencing(control_mode=ControlMode(choice=True, flow=True, choice_exit=False))),
    Activity("answers", "Đáp án", sequencing=Sequencing(sequencing_rules=(
        SequencingRule("pre", "hiddenFromChoice", (RuleCondition("always"),)),))),
    Activity("extra", "Bài đọc thêm"),
), FLOW_CHOICE)

#: SN 3.4 post-condition "not satisfied → retry"; SN 3.5.1 attemptLimit=1
RETRY = _course("SEQ_RETRY", (
    Activity("brief", "Giới thiệu", sequencing=Sequencing(limit_conditions=LimitConditions(attempt_limit=1))),
    Activity("quiz", "Bài kiểm tra", sequencing=Sequencing(
        sequencing_rules=(SequencingRule("post", "retry", (RuleCondition("satisfied", operator="not"),)),),
        objectives=(Objective("quiz_obj", primary=True, satisfied_by_measure=True, min_normalized_measure=0.7),))),
    Activity("done", "Tổng kết"),
), FLOW_CHOICE)

#: SN 3.10.1 a global objective written by one SCO and read by another
GLOBAL = _course("SEQ_GLOBAL", (
    Activity("writer", "Bài viết mục tiêu", sequencing=Sequencing(objectives=(
        Objective("p_w", primary=True),
        Objective("safety", map_info=(MapInfo("urn:seq:safety", read_satisfied_status=False,
                                              write_satisfied_status=True),))))),
    Activity("reader", "Bài đọc mục tiêu", sequencing=Sequencing(objectives=(
        Objective("p_r", primary=True), Objective("safety", map_info=(MapInfo("urn:seq:safety"),))))),
), FLOW_CHOICE)

#: CAM 5.1.6 adlnav:hideLMSUI continue/previous on the first SCO
HIDE_UI = _course("SEQ_HIDEUI", (Activity("h1", "Bài 1", hide_lms_ui=("continue", "previous")),
                                 Activity("h2", "Bài 2")), FLOW_ONLY)

#: the scenarios, by their name here and in tests/scorm/seq_manifests.py
ALL = ("FORCED", "PRETEST", "POSTTEST", "CHOICE", "RETRY", "GLOBAL", "HIDE_UI")
