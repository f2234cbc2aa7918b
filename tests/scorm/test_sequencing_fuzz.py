"""Hostile sequencing in manifests: whatever the imsss/adlseq/adlnav elements and values, parsing,
checking and describing never raise anything but ManifestError, and findings stay bounded."""

from __future__ import annotations

import contextlib
import os
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorm.errors import ManifestError
from scorm.manifest import check_manifest, parse_manifest
from scorm.sequencing.report import describe_sequencing
from tests.scorm.seqkit import NS, manifest_xml, sco

EXAMPLES = int(os.environ.get("SCORM_FUZZ_EXAMPLES", "200"))
#: drawing nested elements is what costs here (parsing one example takes ~3 ms), so a quarter of the examples
FUZZ = settings(max_examples=max(EXAMPLES // 4, 1), deadline=None, suppress_health_check=[HealthCheck.too_slow])

ELEMENTS = [
    "imsss:sequencing", "imsss:controlMode", "imsss:sequencingRules", "imsss:preConditionRule",
    "imsss:exitConditionRule", "imsss:postConditionRule", "imsss:ruleConditions", "imsss:ruleCondition",
    "imsss:ruleAction", "imsss:limitConditions", "imsss:auxiliaryResources", "imsss:auxiliaryResource",
    "imsss:rollupRules", "imsss:rollupRule", "imsss:rollupConditions", "imsss:rollupCondition",
    "imsss:rollupAction", "imsss:objectives", "imsss:primaryObjective", "imsss:objective",
    "imsss:minNormalizedMeasure", "imsss:mapInfo", "imsss:randomizationControls", "imsss:deliveryControls",
    "adlseq:constrainedChoiceConsiderations", "adlseq:rollupConsiderations", "adlseq:objectives",
    "adlseq:objective", "adlseq:mapInfo", "adlnav:presentation", "adlnav:navigationInterface",
    "adlnav:hideLMSUI", "imsss:sequencingCollection", "item", "title",
]
ATTRIBUTES = [
    "ID", "IDRef", "choice", "choiceExit", "flow", "forwardOnly", "conditionCombination", "condition", "operator",
    "referencedObjective", "measureThreshold", "action", "attemptLimit", "attemptAbsoluteDurationLimit",
    "childActivitySet", "minimumCount", "minimumPercent", "objectiveMeasureWeight", "rollupObjectiveSatisfied",
    "objectiveID", "satisfiedByMeasure", "targetObjectiveID", "writeSatisfiedStatus", "readRawScore",
    "writeProgressMeasure", "randomizationTiming", "selectCount", "reorderChildren", "tracked",
    "requiredForSatisfied", "measureSatisfactionIfActive", "constrainChoice", "identifier", "identifierref",
]
VALUES = st.one_of(st.sampled_from(["", "true", "false", "1", "0.5", "-1", "2", "1e308", "nan", "inf", "-0",
                                    "satisfied", "skip", "all", "any", "not", "PT1H", "P", "o1", "r", "never",
                                    "atLeastCount", "x" * 300]), st.text(max_size=20))


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd"))


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(st.sampled_from(ELEMENTS))
    attrs = draw(st.dictionaries(st.sampled_from(ATTRIBUTES), VALUES, max_size=4))
    attr_text = "".join(f" {k}={quoteattr(_clean(v))}" for k, v in attrs.items())
    children = draw(st.lists(elements(depth + 1), max_size=2)) if depth < 3 else []
    return f"<{name}{attr_text}>{escape(_clean(draw(VALUES)))}{''.join(children)}</{name}>"


def exercise(data: bytes) -> None:
    with contextlib.suppress(ManifestError):
        manifest = parse_manifest(data)
        errors, warnings = check_manifest(manifest)
        assert len(warnings) <= 250
        info = describe_sequencing(manifest)
        assert all(len(i.message_vi) < 5000 for i in info)


@FUZZ
@given(st.lists(elements(), max_size=3), st.lists(elements(), max_size=2), st.lists(elements(), max_size=2))
def test_random_sequencing_in_items_organization_and_collection(in_item, in_org, in_collection):
    exercise(manifest_xml(sco("i", "".join(in_item)), org_sequencing="".join(in_org),
                          collection="".join(in_collection)))


@FUZZ
@given(st.lists(elements(), max_size=3))
def test_random_sequencing_with_undeclared_prefixes(in_item):
    exercise(manifest_xml(sco("i", "".join(in_item)), ns='xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"'))


def test_deeply_nested_items_with_sequencing_do_not_crash():
    depth = 300
    inner = '<imsss:sequencing><imsss:controlMode flow="true"/></imsss:sequencing>'
    items = "".join(f'<item identifier="i{n}"><title>t</title>' for n in range(depth)) + inner + "</item>" * depth
    exercise(manifest_xml(items))


def test_many_rules_and_objectives_stay_bounded():
    rule = ('<imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="bogus" '
            'referencedObjective="ghost"/></imsss:ruleConditions><imsss:ruleAction action="nope"/>'
            '</imsss:preConditionRule>')
    items = "".join(sco(f"i{n}", f"<imsss:sequencing><imsss:sequencingRules>{rule * 50}</imsss:sequencingRules>"
                                 "</imsss:sequencing>") for n in range(50))
    manifest = parse_manifest(manifest_xml(items))
    _, warnings = check_manifest(manifest)
    assert 0 < len(warnings) <= 60
    [pre] = describe_sequencing(manifest)  # pre-condition rules are applied: no not_applied warning
    assert pre.code == "sequencing.uses_precondition" and "(+" in pre.message_vi


def test_idref_cycles_and_self_references_are_harmless():
    collection = ('<imsss:sequencing ID="a" IDRef="b"><imsss:controlMode flow="true"/></imsss:sequencing>'
                  '<imsss:sequencing ID="b" IDRef="a"/>')
    m = parse_manifest(manifest_xml(sco("i", '<imsss:sequencing IDRef="a"/>'), collection=collection))
    assert m.scos()[0].sequencing.control_mode.flow


def test_namespace_constant_is_the_2004_set():
    assert "imsss" in NS and "adlseq_v1p3" in NS and "adlnav_v1p3" in NS
