"""Hand-written SCORM 2004 4th ed. manifests with sequencing, shared by the engine tests (tests/scorm) and
the Chromium tests (tests/e2e/test_sequencing_*.py). Every SCO is the fixture SCO of
``tests/e2e/sco_fixtures/common`` with ``?page=<id>``."""

from __future__ import annotations

NS = ('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
      'xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" '
      'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"')


def manifest(ident: str, items: str, org_sequencing: str = "", org_attrs: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1.0" {NS}>
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG" {org_attrs}>
      <title>{ident}</title>
{items}
      {org_sequencing}
    </organization>
  </organizations>
  <resources>
    <resource identifier="res_sco" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/><file href="sco.js"/>
    </resource>
  </resources>
</manifest>
"""


def item(ident: str, title: str, sequencing: str = "", extra: str = "") -> str:
    seq = f"<imsss:sequencing>{sequencing}</imsss:sequencing>" if sequencing else ""
    return (f'      <item identifier="{ident}" identifierref="res_sco" parameters="?page={ident}">'
            f"<title>{title}</title>{extra}{seq}</item>")


FLOW_ONLY = '<imsss:sequencing><imsss:controlMode choice="false" flow="true"/></imsss:sequencing>'
FLOW_CHOICE = '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>'

#: SN 3.2 (flow, choice off): the learner goes 1 → 2 → 3 only with Continue
FORCED = manifest("SEQ_FORCED", "\n".join(item(f"s{i}", f"Bài {i}") for i in (1, 2, 3)), FLOW_ONLY)

_PRE_OBJ = ('<imsss:objectives><imsss:primaryObjective objectiveID="pre_obj" satisfiedByMeasure="true">'
            '<imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>'
            '<imsss:mapInfo targetObjectiveID="urn:seq:mastery" writeSatisfiedStatus="true"/>'
            '</imsss:primaryObjective></imsss:objectives>')
_SKIP_IF_MASTERED = ('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
                     '<imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions>'
                     '<imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>'
                     '<imsss:objectives><imsss:primaryObjective objectiveID="content_obj">'
                     '<imsss:mapInfo targetObjectiveID="urn:seq:mastery" readSatisfiedStatus="true"/>'
                     '</imsss:primaryObjective></imsss:objectives>')
#: SN 3.4 pre-condition rule "satisfied → skip" reading a global objective (SN 3.10.1) written by the
#: pre-test: passing the pre-test skips the content and goes on to the post-test
PRETEST = manifest("SEQ_PRETEST", "\n".join([
    item("pre", "Kiểm tra đầu vào", _PRE_OBJ),
    item("content", "Nội dung", _SKIP_IF_MASTERED),
    item("post", "Kiểm tra cuối"),
]), FLOW_ONLY)

_ROLLUP_POST_ONLY = ('<imsss:rollupRules><imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
                     '<imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>'
                     '<imsss:rollupAction action="satisfied"/></imsss:rollupRule>'
                     '<imsss:rollupRule childActivitySet="any"><imsss:rollupConditions>'
                     '<imsss:rollupCondition condition="completed"/></imsss:rollupConditions>'
                     '<imsss:rollupAction action="completed"/></imsss:rollupRule></imsss:rollupRules>')
_NOT_IN_ROLLUP = ('<imsss:rollupRules rollupObjectiveSatisfied="false" rollupProgressCompletion="false" '
                  'objectiveMeasureWeight="0"/>')
_POST_OBJ = ('<imsss:objectives><imsss:primaryObjective objectiveID="post_obj" satisfiedByMeasure="true">'
             '<imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>'
             '</imsss:objectives>')
#: SN 3.6/3.7 rollup: only the post-test counts (objectiveMeasureWeight 0 and no rollup for the lesson);
#: the course is satisfied and completed when the post-test is
POSTTEST = manifest("SEQ_POSTTEST", "\n".join([
    item("lesson", "Bài học", _NOT_IN_ROLLUP),
    item("final", "Bài kiểm tra cuối", _POST_OBJ),
]), f'<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>{_ROLLUP_POST_ONLY}</imsss:sequencing>')

_HIDDEN = ('<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions>'
           '<imsss:ruleCondition condition="always"/></imsss:ruleConditions>'
           '<imsss:ruleAction action="hiddenFromChoice"/></imsss:preConditionRule></imsss:sequencingRules>')
#: SN 3.2.1 choiceExit=false on a cluster (no choice out of it while it is active) and SN 3.4.2
#: hiddenFromChoice (the "answers" item is never offered by choice, only by flow)
CHOICE = manifest("SEQ_CHOICE", "\n".join([
    '      <item identifier="unit"><title>Chương 1</title>',
    item("u1", "Bài 1.1"), item("u2", "Bài 1.2"),
    '      <imsss:sequencing><imsss:controlMode choice="true" flow="true" choiceExit="false"/></imsss:sequencing>'
    '</item>',
    item("answers", "Đáp án", _HIDDEN),
    item("extra", "Bài đọc thêm"),
]), FLOW_CHOICE)

_RETRY_IF_FAILED = ('<imsss:sequencingRules><imsss:postConditionRule><imsss:ruleConditions>'
                    '<imsss:ruleCondition condition="satisfied" operator="not"/></imsss:ruleConditions>'
                    '<imsss:ruleAction action="retry"/></imsss:postConditionRule></imsss:sequencingRules>')
_QUIZ_OBJ = ('<imsss:objectives><imsss:primaryObjective objectiveID="quiz_obj" satisfiedByMeasure="true">'
             '<imsss:minNormalizedMeasure>0.7</imsss:minNormalizedMeasure></imsss:primaryObjective>'
             '</imsss:objectives>')
#: SN 3.4 post-condition rule "not satisfied → retry" on the quiz; SN 3.5 attemptLimit=1 on the briefing
RETRY = manifest("SEQ_RETRY", "\n".join([
    item("brief", "Giới thiệu", '<imsss:limitConditions attemptLimit="1"/>'),
    item("quiz", "Bài kiểm tra", _RETRY_IF_FAILED + _QUIZ_OBJ),
    item("done", "Tổng kết"),
]), FLOW_CHOICE)

_WRITE_G = ('<imsss:objectives><imsss:primaryObjective objectiveID="p_w"/>'
            '<imsss:objective objectiveID="safety">'
            '<imsss:mapInfo targetObjectiveID="urn:seq:safety" readSatisfiedStatus="false" '
            'writeSatisfiedStatus="true"/></imsss:objective></imsss:objectives>')
_READ_G = ('<imsss:objectives><imsss:primaryObjective objectiveID="p_r"/>'
           '<imsss:objective objectiveID="safety">'
           '<imsss:mapInfo targetObjectiveID="urn:seq:safety" readSatisfiedStatus="true"/></imsss:objective>'
           '</imsss:objectives>')
#: SN 3.10.1 a global objective written by one SCO (cmi.objectives "safety" passed) and read by another
GLOBAL = manifest("SEQ_GLOBAL", "\n".join([
    item("writer", "Bài viết mục tiêu", _WRITE_G),
    item("reader", "Bài đọc mục tiêu", _READ_G),
]), FLOW_CHOICE)

_HIDE_NAV = ('<adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI>'
             '<adlnav:hideLMSUI>previous</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>')
#: CAM 5.1.6 / SN 5.1 adlnav:hideLMSUI: the SCO brings its own Continue/Previous; the LMS hides its buttons
HIDE_UI = manifest("SEQ_HIDEUI", "\n".join([
    item("h1", "Bài 1", extra=_HIDE_NAV), item("h2", "Bài 2"),
]), FLOW_ONLY)

#: SN 3.2.4 forwardOnly: no previous, only continue
FORWARD = manifest("SEQ_FORWARD", "\n".join(item(f"f{i}", f"Bài {i}") for i in (1, 2, 3)),
                   '<imsss:sequencing><imsss:controlMode choice="false" flow="true" forwardOnly="true"/>'
                   "</imsss:sequencing>")

_EXIT_ALWAYS = ('<imsss:sequencingRules><imsss:exitConditionRule><imsss:ruleConditions>'
                '<imsss:ruleCondition condition="always"/></imsss:ruleConditions>'
                '<imsss:ruleAction action="exit"/></imsss:exitConditionRule></imsss:sequencingRules>')
#: SN 3.4 exit condition rule on a cluster: leaving its first lesson exits the cluster, flow goes on after it
EXIT_RULE = manifest("SEQ_EXIT", "\n".join([
    '      <item identifier="unit"><title>Chương 1</title>',
    item("e1", "Bài 1.1"), item("e2", "Bài 1.2"),
    f'      <imsss:sequencing><imsss:controlMode choice="true" flow="true"/>{_EXIT_ALWAYS}</imsss:sequencing>'
    "</item>",
    item("after", "Bài sau chương"),
]), FLOW_CHOICE)

#: SN 3.3 adlseq:constrainChoice: from the current activity only its flow neighbours can be chosen
CONSTRAINED = manifest("SEQ_CONSTRAINED", "\n".join(item(f"c{i}", f"Bài {i}") for i in (1, 2, 3, 4)),
                       '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
                       '<adlseq:constrainedChoiceConsiderations constrainChoice="true"/></imsss:sequencing>')

#: SN 3.11 selection: one of three questions is selected on each new attempt of the root
RANDOM = manifest("SEQ_RANDOM", "\n".join(item(f"q{i}", f"Câu {i}") for i in (1, 2, 3)),
                  '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/>'
                  '<imsss:randomizationControls selectionTiming="onEachNewAttempt" selectCount="1" '
                  'randomizationTiming="onEachNewAttempt" reorderChildren="true"/></imsss:sequencing>')

#: SN 3.8 rollup controls: the lesson is left out of rollup, the default rollup (all children) then
#: takes the course's completion and success from the final test alone
EXCLUDED = manifest("SEQ_EXCLUDED", "\n".join([
    item("lesson", "Bài học", _NOT_IN_ROLLUP),
    item("final", "Bài kiểm tra cuối", _POST_OBJ),
]), FLOW_CHOICE)

_IF_ATTEMPTED = ('<adlseq:rollupConsiderations requiredForSatisfied="ifAttempted" requiredForNotSatisfied="ifAttempted" '
                 'requiredForCompleted="ifAttempted" requiredForIncomplete="ifAttempted"/>')
#: SN 3.9 rollup considerations: the optional reading counts only if the learner attempted it
CONSIDERED = manifest("SEQ_CONSIDERED", "\n".join([
    item("final", "Bài kiểm tra cuối", _POST_OBJ), item("reading", "Bài đọc thêm", _IF_ATTEMPTED),
]), FLOW_CHOICE)

#: SN 3.13 tracked=false: the survey is delivered but leaves no status to roll up
UNTRACKED = manifest("SEQ_UNTRACKED", "\n".join([
    item("final", "Bài kiểm tra cuối", _POST_OBJ),
    item("survey", "Khảo sát", '<imsss:deliveryControls tracked="false"/>'),
]), FLOW_CHOICE)
