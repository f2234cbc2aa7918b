"""Builders writing sequencing: ``scorm.build_course`` (multi-SCO 2004 packages from Python) and
``PackageSource.sequencing`` in ``scorm.build``; what they write parses back to the same model."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorm.build import PackageSource, PracticeLesson, build_package
from scorm.build_course import Activity, CourseSource, ScoAction, build_course_manifest, build_course_package
from scorm.manifest import parse_manifest
from scorm.package import inspect
from scorm.sequencing import (
    AdlMapInfo,
    AdlObjective,
    AuxiliaryResource,
    ConstrainedChoice,
    ControlMode,
    DeliveryControls,
    LimitConditions,
    MapInfo,
    Objective,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupRule,
    RollupRules,
    RuleCondition,
    Sequencing,
    SequencingRule,
)

EVERYTHING = Sequencing(
    control_mode=ControlMode(choice=False, choice_exit=False, flow=True, forward_only=True,
                             use_current_attempt_objective_info=False, use_current_attempt_progress_info=False),
    sequencing_rules=(
        SequencingRule("pre", "skip", (RuleCondition("satisfied", referenced_objective="pre"),)),
        SequencingRule("pre", "hiddenFromChoice", (RuleCondition("attempted", "not"),)),
        SequencingRule("exit", "exit", (RuleCondition("completed"),)),
        SequencingRule("post", "retry", (RuleCondition("objectiveMeasureLessThan", "noOp", "pre", -0.25),
                                         RuleCondition("attemptLimitExceeded", "not")), "any"),
    ),
    limit_conditions=LimitConditions(3, "PT45M"),
    auxiliary_resources=(AuxiliaryResource("help", "glossary"),),
    rollup_rules=RollupRules(False, True, 0.3, (
        RollupRule("satisfied", (RollupCondition("satisfied"),), "atLeastCount", 2),
        RollupRule("notSatisfied", (RollupCondition("attempted"), RollupCondition("satisfied", "not")),
                   "atLeastPercent", 0, 0.5, "all"))),
    objectives=(Objective("pre", True, True, 0.7, (MapInfo("g-pre", False, True, True, False),),
                          (AdlMapInfo("g-pre", write_raw_score=True, read_progress_measure=False),)),
                Objective("other", map_info=(MapInfo("g-other"),))),
    randomization_controls=RandomizationControls("onEachNewAttempt", 1, True, "once"),
    delivery_controls=DeliveryControls(False, True, True),
    constrained_choice=ConstrainedChoice(True, True),
    rollup_considerations=RollupConsiderations("ifAttempted", "ifNotSkipped", "ifNotSuspended", "always", False),
    adl_objectives=(AdlObjective("pre", (AdlMapInfo("g-pre", write_raw_score=True, read_progress_measure=False),)),),
)


def course(root: Sequencing | None = None, leaf: Sequencing | None = None, **kwargs) -> CourseSource:
    return CourseSource("C1", "Khoá thử", activities=(
        Activity("MOD", "Chương 1", children=(
            Activity("A", "Bài A", sequencing=leaf, hide_lms_ui=("continue", "previous"),
                     on_load={"cmi.completion_status": "completed"},
                     actions=(ScoAction("Đạt", {"cmi.success_status": "passed"}, request="continue"),)),
            Activity("B", "Bài B"),
        ), sequencing=Sequencing(control_mode=ControlMode(flow=True))),
        Activity("C", "Bài C", isvisible=False),
    ), sequencing=root, **kwargs)


def items(manifest):
    return {i.identifier: i for i in manifest.default_organization.walk()}


def test_every_part_round_trips_through_the_manifest():
    """SN 3.2-3.13 and the adlseq/adlnav extensions: build → parse gives back the same model."""
    m = parse_manifest(build_course_manifest(course(root=EVERYTHING, leaf=EVERYTHING)))
    assert m.default_organization.sequencing == EVERYTHING
    assert items(m)["A"].sequencing == EVERYTHING
    assert items(m)["A"].hide_lms_ui == ("continue", "previous")
    assert items(m)["MOD"].sequencing == Sequencing(control_mode=ControlMode(flow=True))
    assert items(m)["B"].sequencing is None and not items(m)["C"].isvisible
    assert m.scorm_version == "2004-4th" and [i.identifier for i in m.scos()] == ["A", "B", "C"]


def test_collection_entries_are_written_and_referenced_by_idref():
    shared = Sequencing(limit_conditions=LimitConditions(attempt_limit=2),
                        delivery_controls=DeliveryControls(completion_set_by_content=True))
    m = parse_manifest(build_course_manifest(course(leaf=Sequencing(idref="shared"), collection={"shared": shared})))
    assert m.sequencing_collection == {"shared": replace(shared, id="shared")}
    assert items(m)["A"].sequencing == replace(shared, idref="shared")
    assert m.warnings == ()


def test_objectives_global_to_system_attribute():
    m = parse_manifest(build_course_manifest(course(objectives_global_to_system=False)))
    assert m.default_organization.objectives_global_to_system is False


def test_built_course_is_a_valid_package_with_its_sco_pages(tmp_path):
    path = build_course_package(course(root=Sequencing(control_mode=ControlMode(choice=False, flow=True))),
                                tmp_path / "c.zip")
    report = inspect(path)
    assert report.ok, report.errors
    assert set(report.files) == {"imsmanifest.xml", "shared/sco-driver.js", "sco/A.html", "sco/B.html", "sco/C.html"}
    assert "sequencing.uses_forced_flow" in [i.code for i in report.info]
    page = zipfile.ZipFile(path).read("sco/A.html").decode()
    assert '[["cmi.completion_status","completed"]]' in page and 'id="sco-action-0"' in page
    assert '"request":"continue"' in page and 'src="../shared/sco-driver.js"' in page


def test_builds_are_reproducible(tmp_path):
    one = build_course_package(course(root=EVERYTHING), tmp_path / "1.zip").read_bytes()
    assert one == build_course_package(course(root=EVERYTHING), tmp_path / "2.zip").read_bytes()


@pytest.mark.parametrize("bad", [
    CourseSource("1bad", "x", (Activity("A", "a"),)),
    CourseSource("C", "x", ()),
    CourseSource("C", "x", (Activity("A", "a"), Activity("A", "again"))),
    CourseSource("C", "x", (Activity("A B", "a"),)),
    CourseSource("C", "x", (Activity("M", "m", children=(Activity("A", "a"),), body="<p>x</p>"),)),
    CourseSource("C", "x", (Activity("A", "a"),), collection={"k": Sequencing(id="other")}),
])
def test_unusable_courses_are_refused(bad, tmp_path):
    with pytest.raises(ValueError):
        build_course_package(bad, tmp_path / "x.zip")


def test_package_source_carries_sequencing_into_the_single_sco_build(tmp_path):
    root = Sequencing(control_mode=ControlMode(choice=False, flow=True),
                      rollup_rules=RollupRules(rules=(RollupRule("satisfied", (RollupCondition("satisfied"),)),)))
    leaf = Sequencing(limit_conditions=LimitConditions(attempt_limit=1),
                      objectives=(Objective("p", True, True, 0.8, (MapInfo("g", write_satisfied_status=True),)),))
    source = PackageSource("P1", "Gói", (PracticeLesson("L1", "Bài 1", "<p>x</p>"),), sequencing=root,
                           item_sequencing=leaf, hide_lms_ui=("exit",))
    path = build_package(source, "2004-4th", tmp_path / "p.zip")
    m = inspect(path).manifest
    assert m.default_organization.sequencing == root
    [sco] = m.scos()
    assert sco.sequencing == leaf and sco.hide_lms_ui == ("exit",)


def test_package_source_default_sequencing_is_unchanged(tmp_path):
    """Without sequencing a 2004 build keeps flow + choice and content-set status (no warning on upload)."""
    path = build_package(PackageSource("P1", "Gói", (PracticeLesson("L1", "Bài 1", "<p>x</p>"),)), "2004-4th",
                         tmp_path / "p.zip")
    report = inspect(path)
    assert report.manifest.default_organization.sequencing == Sequencing(control_mode=ControlMode(flow=True))
    assert report.manifest.scos()[0].sequencing.delivery_controls == DeliveryControls(True, True, True)
    assert report.warnings == [] and [i.code for i in report.info] == ["sequencing.uses_flow"]


# --- property: any model the vocabulary allows round-trips ------------------------------------------------

IDS = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=8).map(lambda s: "o" + s)
MEASURE = st.floats(-1, 1, allow_nan=False)
UNIT = st.floats(0, 1, allow_nan=False)
CONDITIONS = st.sampled_from(["satisfied", "objectiveStatusKnown", "objectiveMeasureGreaterThan", "completed",
                              "attempted", "attemptLimitExceeded", "always"])
ACTIONS = {"pre": ["skip", "disabled", "hiddenFromChoice", "stopForwardTraversal"], "exit": ["exit"],
           "post": ["exitParent", "exitAll", "retry", "retryAll", "continue", "previous"]}


@st.composite
def rules(draw: st.DrawFn) -> tuple[SequencingRule, ...]:
    out = []
    for kind in ("pre", "exit", "post"):
        for _ in range(draw(st.integers(0, 2))):
            conds = draw(st.lists(st.builds(RuleCondition, CONDITIONS, st.sampled_from(["not", "noOp"]),
                                            st.none() | IDS, st.none() | MEASURE), max_size=3))
            out.append(SequencingRule(kind, draw(st.sampled_from(ACTIONS[kind])), tuple(conds),
                                      draw(st.sampled_from(["all", "any"]))))
    return tuple(out)


ROLLUP = st.builds(RollupRules, st.booleans(), st.booleans(), UNIT, st.lists(st.builds(
    RollupRule, st.sampled_from(["satisfied", "notSatisfied", "completed", "incomplete"]),
    st.lists(st.builds(RollupCondition, CONDITIONS.filter(lambda c: "Measure" not in c and c != "always"),
                       st.sampled_from(["not", "noOp"])), max_size=3).map(tuple),
    st.sampled_from(["all", "any", "none", "atLeastCount", "atLeastPercent"]), st.integers(0, 9), UNIT,
    st.sampled_from(["all", "any"])), max_size=3).map(tuple))
MAPS = st.lists(st.builds(MapInfo, IDS, st.booleans(), st.booleans(), st.booleans(), st.booleans()),
                max_size=2).map(tuple)
OBJECTIVES = st.tuples(st.lists(st.builds(Objective, st.none() | IDS, st.just(True), st.booleans(), MEASURE, MAPS),
                                max_size=1),
                       st.lists(st.builds(Objective, IDS, st.just(False), st.booleans(), MEASURE, MAPS), max_size=3)
                       ).map(lambda t: tuple(t[0] + t[1]))
TIMING = st.sampled_from(["never", "once", "onEachNewAttempt"])
CONSIDER = st.sampled_from(["always", "ifAttempted", "ifNotSkipped", "ifNotSuspended"])
SEQUENCING = st.builds(
    Sequencing, id=st.none(), idref=st.none(),
    control_mode=st.none() | st.builds(ControlMode, *[st.booleans()] * 6),
    sequencing_rules=st.none() | rules(),
    limit_conditions=st.none() | st.builds(LimitConditions, st.none() | st.integers(0, 99),
                                           st.none() | st.sampled_from(["PT1H", "P1D", "PT0.5S"])),
    rollup_rules=st.none() | ROLLUP, objectives=st.none() | OBJECTIVES,
    delivery_controls=st.none() | st.builds(DeliveryControls, st.booleans(), st.booleans(), st.booleans()),
    randomization_controls=st.none() | st.builds(RandomizationControls, TIMING, st.none() | st.integers(0, 9),
                                                 st.booleans(), TIMING),
    auxiliary_resources=st.none() | st.lists(st.builds(AuxiliaryResource, IDS, IDS), max_size=2).map(tuple),
    constrained_choice=st.none() | st.builds(ConstrainedChoice, st.booleans(), st.booleans()),
    rollup_considerations=st.none() | st.builds(RollupConsiderations, CONSIDER, CONSIDER, CONSIDER, CONSIDER,
                                                st.booleans()),
    adl_objectives=st.none())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SEQUENCING, SEQUENCING)
def test_any_model_round_trips(root, leaf):
    m = parse_manifest(build_course_manifest(course(root=root, leaf=leaf)))
    assert m.default_organization.sequencing == root
    assert items(m)["A"].sequencing == leaf


def test_zip_entries_have_a_fixed_timestamp(tmp_path):
    path = build_course_package(course(), tmp_path / "c.zip")
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
