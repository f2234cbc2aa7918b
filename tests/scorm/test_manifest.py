"""scorm.manifest: parsing imsmanifest.xml of SCORM 1.2 and 2004 2nd/3rd/4th editions."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest

from scorm._xml import parse_xml
from scorm.errors import ManifestError
from scorm.manifest import (
    CompletionThreshold,
    ControlMode,
    DataMap,
    Manifest,
    MapInfo,
    check_manifest,
    join_url,
    launch_url,
    parse_manifest,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_manifest(name: str) -> Manifest:
    path = next((FIXTURES / name).rglob("imsmanifest.xml"))
    return parse_manifest(path.read_bytes())


def codes(issues: object) -> list[str]:
    return [i.code for i in issues]  # type: ignore[attr-defined]


def by_id(m: Manifest, identifier: str):
    return next(i for o in m.organizations for i in o.walk() if i.identifier == identifier)


def minimal(version: str | None = "1.2", ns: str | None = None, resource: str | None = None,
            items: str | None = None) -> bytes:
    meta = f"<metadata><schemaversion>{version}</schemaversion></metadata>" if version is not None else ""
    ns = ns if ns is not None else 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"'
    resource = resource or '<resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="a.html"/>'
    items = items if items is not None else '<item identifier="i" identifierref="r"><title>T</title></item>'
    return (f'<manifest identifier="m" {ns}>{meta}<organizations default="o"><organization identifier="o">'
            f'<title>Org</title>{items}</organization></organizations><resources>{resource}</resources>'
            f'</manifest>').encode()


# --- fixtures imitating real exports --------------------------------------------------------------------


def test_storyline_12_single_sco():
    m = fixture_manifest("storyline_12_single")
    assert m.scorm_version == "1.2"
    assert m.title == "An toàn, vệ sinh lao động cho cán bộ công đoàn"
    assert m.identifier == "5mfgNOa3Y7l_course_id"
    assert m.default_organization is m.organizations[0]
    [sco] = m.scos()
    assert sco.mastery_score == 80.0
    assert launch_url(m, sco) == "index_lms.html"
    res = m.resources["5mfgNOa3Y7l_course_id_RES"]
    assert res.scorm_type == "sco"
    assert "story_content/5xBnYk2T9_video.mp4" in res.files
    assert m.warnings == ()


def test_ispring_12_multi_sco_keeps_tree_prerequisites_and_hidden_items():
    m = fixture_manifest("ispring_12_multi")
    assert m.scorm_version == "1.2"
    chapter = m.default_organization.items[0]
    assert chapter.identifierref is None
    assert [c.identifier for c in chapter.children] == ["sco_1", "sco_2"]
    assert [i.identifier for i in m.scos()] == ["sco_1", "sco_2", "sco_quiz", "glossary"]
    sco1, sco2, quiz, glossary = m.scos()
    assert (sco1.max_time_allowed, sco1.time_limit_action, sco1.data_from_lms) == (
        "00:30:00", "continue,message", "mode=review")
    assert sco2.prerequisites == "sco_1"
    assert quiz.prerequisites == "sco_1 & sco_2"
    assert quiz.mastery_score == 70.0
    assert glossary.isvisible is False and quiz.isvisible is True
    assert launch_url(m, sco1) == "lesson1/res/index.html?slide=1"
    assert launch_url(m, quiz) == "quiz/res/index.html?quiz=final"
    assert m.resources["res_glossary"].scorm_type == "asset"
    assert m.resources["res_lesson1"].dependencies == ("res_shared",)
    assert m.resources["res_shared"].href is None


def test_captivate_2004_3rd_sequencing():
    m = fixture_manifest("captivate_2004_3rd")
    assert m.scorm_version == "2004-3rd"
    org = m.default_organization
    assert org.objectives_global_to_system is False
    assert org.sequencing.control_mode == ControlMode(choice=False, flow=True, forward_only=True)
    rules = org.sequencing.rollup_rules.rules
    assert [(r.child_activity_set, r.action) for r in rules] == [("all", "completed"), ("atLeastCount", "incomplete")]
    assert rules[1].minimum_count == 1 and rules[1].conditions[0].operator == "not"
    assert rules[1].condition_combination == "any"


def test_captivate_item_inherits_sequencing_collection_through_idref():
    m = fixture_manifest("captivate_2004_3rd")
    pre = by_id(m, "PRETEST").sequencing
    assert pre.idref == "common_rules"
    assert pre.control_mode == ControlMode(choice=True, choice_exit=False, flow=True)
    assert pre.limit_conditions.attempt_limit == 2
    [rule] = pre.sequencing_rules
    assert (rule.kind, rule.action, rule.condition_combination) == ("pre", "skip", "any")
    assert rule.conditions[1].measure_threshold == 0.9
    assert rule.conditions[1].referenced_objective == "obj_pretest"
    [primary] = pre.objectives
    assert primary.primary and primary.satisfied_by_measure and primary.min_normalized_measure == 0.6


def test_captivate_own_parts_override_the_collection():
    m = fixture_manifest("captivate_2004_3rd")
    lesson = by_id(m, "LESSON")
    assert lesson.sequencing.delivery_controls.completion_set_by_content is True
    assert lesson.sequencing.limit_conditions.attempt_limit == 2
    assert lesson.completion_threshold == CompletionThreshold(completed_by_measure=True, min_progress_measure=0.75)
    assert (lesson.time_limit_action, lesson.data_from_lms) == ("exit,message", "lang=vi")
    assert lesson.hide_lms_ui == ("continue", "previous")
    post = by_id(m, "POSTTEST").sequencing
    assert post.idref is None
    assert post.limit_conditions.attempt_limit == 3
    assert post.limit_conditions.attempt_absolute_duration_limit == "PT1H"
    primary, other = post.objectives
    assert primary.map_info == (MapInfo("com.congdoan.hdld.passed", write_satisfied_status=True,
                                        write_normalized_measure=True),)
    assert not other.primary and other.map_info == (MapInfo("com.congdoan.hdld.chapter2"),)
    assert launch_url(m, by_id(m, "POSTTEST")) == "index_scorm.html?section=posttest"


def test_storyline_2004_4th_shared_data_and_completion_threshold():
    m = fixture_manifest("storyline_2004_4th_shared")
    assert m.scorm_version == "2004-4th"
    assert m.default_organization.shared_data_global_to_system is False
    one, two = m.scos()
    assert one.data_maps == (DataMap("com.congdoan.nucong.notes", True, True),
                             DataMap("com.congdoan.nucong.profile", True, False))
    assert two.data_maps == (DataMap("com.congdoan.nucong.notes"),)
    assert one.completion_threshold == CompletionThreshold(True, 0.8, 0.5)
    assert one.hide_lms_ui == ("continue", "previous", "abandon")
    assert launch_url(m, two) == "index_lms.html#part2"


def test_xml_base_is_combined_over_manifest_resources_and_resource():
    m = fixture_manifest("xml_base_2004")
    assert m.scorm_version == "2004-2nd"
    lesson1, lesson2 = m.scos()
    assert launch_url(m, lesson1) == "course/content/lesson1/index.html?lang=vi&tab=intro"
    assert launch_url(m, lesson2) == "course/content/lesson2/pages/start.html?page=3#top"
    assert m.resources["r_shared"].files == ("course/shared/api.js",)


# --- versions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "version"), [
    ("1.2", "1.2"), ("SCORM 1.2", "1.2"), ("CAM 1.3", "2004-2nd"), ("2004 2nd Edition", "2004-2nd"),
    ("2004 3rd Edition", "2004-3rd"), ("2004 4th Edition", "2004-4th"), ("  2004   4th edition ", "2004-4th"),
    ("SCORM 2004 3rd Edition", "2004-3rd"),
])
def test_schemaversion_strings(text, version):
    assert parse_manifest(minimal(text)).scorm_version == version


def test_2004_without_schemaversion_is_detected_from_namespaces_with_a_warning():
    ns = 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"'
    m = parse_manifest(minimal(None, ns, '<resource identifier="r" adlcp:scormType="sco" href="a.html"/>'))
    assert m.scorm_version == "2004-3rd"
    assert codes(m.warnings) == ["manifest.schemaversion_missing"]


def test_2004_without_schemaversion_but_with_4th_edition_elements_is_4th():
    ns = 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"'
    items = ('<item identifier="i" identifierref="r"><title>T</title><adlcp:data>'
             '<adlcp:map targetID="x"/></adlcp:data></item>')
    m = parse_manifest(minimal(None, ns, '<resource identifier="r" adlcp:scormType="sco" href="a.html"/>', items))
    assert m.scorm_version == "2004-4th"


def test_12_without_schemaversion_is_detected_with_a_warning():
    m = parse_manifest(minimal(None))
    assert m.scorm_version == "1.2" and codes(m.warnings) == ["manifest.schemaversion_missing"]


@pytest.mark.parametrize("version", ["9.9", "IMS Content 1.1.4", "2005 5th Edition"])
def test_unknown_schemaversion_is_refused(version):
    with pytest.raises(ManifestError) as exc:
        parse_manifest(minimal(version))
    assert exc.value.code == "manifest.unknown_schema"
    assert "SCORM" in exc.value.message_vi


def test_no_version_and_no_scorm_namespace_is_unknown_schema():
    with pytest.raises(ManifestError) as exc:
        parse_manifest(minimal(None, "", '<resource identifier="r" type="webcontent" href="a.html"/>'))
    assert exc.value.code == "manifest.unknown_schema"


# --- sloppy tools -----------------------------------------------------------------------------------------


def test_undeclared_adlcp_prefix_is_read_with_a_warning():
    m = parse_manifest(minimal("1.2", ns=""))
    assert m.resources["r"].scorm_type == "sco"
    assert codes(m.warnings) == ["manifest.undeclared_prefix"]


def test_undeclared_prefix_without_schemaversion_still_detects_12_from_scormtype():
    m = parse_manifest(minimal(None, ns=""))
    assert m.scorm_version == "1.2"


@pytest.mark.parametrize("attr", ['adlcp:scormtype="sco"', 'adlcp:scormType="sco"', 'adlcp:SCORMTYPE="SCO"'])
def test_scorm_type_attribute_case_does_not_matter(attr):
    m = parse_manifest(minimal("1.2", resource=f'<resource identifier="r" {attr} href="a.html"/>'))
    assert m.resources["r"].scorm_type == "sco"


def test_default_organization_that_does_not_exist_falls_back_to_the_first():
    xml = minimal().replace(b'default="o"', b'default="nope"')
    m = parse_manifest(xml)
    assert m.default_organization.identifier == "o"
    assert codes(m.warnings) == ["manifest.default_org_missing"]


def test_invalid_numbers_are_ignored_with_a_warning():
    items = '<item identifier="i" identifierref="r"><title>T</title><adlcp:masteryscore>abc</adlcp:masteryscore></item>'
    m = parse_manifest(minimal(items=items))
    assert m.scos()[0].mastery_score is None
    assert codes(m.warnings) == ["manifest.invalid_value"]


def test_sequencing_idref_missing_from_collection_is_a_warning():
    ns = 'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss"'
    items = '<item identifier="i" identifierref="r"><title>T</title><imsss:sequencing IDRef="ghost"/></item>'
    m = parse_manifest(minimal("2004 3rd Edition", ns, '<resource identifier="r" adlcp:scormType="sco" href="a"/>',
                               items))
    assert m.scos()[0].sequencing.idref == "ghost"
    assert codes(m.warnings) == ["manifest.sequencing_ref_missing"]


def test_completion_threshold_attribute_form():
    items = '<item identifier="i" identifierref="r" completionThreshold="0.6"><title>T</title></item>'
    m = parse_manifest(minimal("2004 3rd Edition", items=items))
    assert m.scos()[0].completion_threshold == CompletionThreshold(True, 0.6, 1.0)


def test_completion_threshold_4th_edition_defaults():
    items = '<item identifier="i" identifierref="r"><adlcp:completionThreshold completedByMeasure="true"/></item>'
    m = parse_manifest(minimal("2004 4th Edition", items=items))
    assert m.scos()[0].completion_threshold == CompletionThreshold(True, 1.0, 1.0)


def test_sub_manifests_are_ignored_with_a_warning():
    xml = minimal().replace(b"</manifest>", b'<manifest identifier="sub"/></manifest>')
    assert codes(parse_manifest(xml).warnings) == ["manifest.sub_manifest_ignored"]


def test_dataclasses_are_frozen():
    m = parse_manifest(minimal())
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.scos()[0].title = "x"  # type: ignore[misc]


def test_not_a_manifest_root_is_refused():
    with pytest.raises(ManifestError) as exc:
        parse_manifest(b"<html><body/></html>")
    assert exc.value.code == "manifest.not_a_manifest"


# --- launch URLs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("href", "parameters", "expected"), [
    ("a.html", "", "a.html"),
    ("a.html", "?x=1", "a.html?x=1"),
    ("a.html", "&x=1", "a.html?x=1"),
    ("a.html", "x=1", "a.html?x=1"),
    ("a.html?q=0", "x=1", "a.html?q=0&x=1"),
    ("a.html?q=0", "?x=1", "a.html?q=0&x=1"),
    ("a.html?q=0", "&x=1", "a.html?q=0&x=1"),
    ("a.html", "#p2", "a.html#p2"),
    ("a.html#top", "#p2", "a.html#top"),
    ("a.html#top", "x=1", "a.html?x=1#top"),
    ("a.html?q=0#top", "&x=1", "a.html?q=0&x=1#top"),
    ("a.html", "x=1#f", "a.html?x=1#f"),
    ("a.html", "  ", "a.html"),
    ("a.html", "?", "a.html"),
    ("d/a b.html", "?n=Nguyễn", "d/a b.html?n=Nguyễn"),
])
def test_launch_url_parameters(href, parameters, expected):
    items = f'<item identifier="i" identifierref="r" parameters={quoteattr(parameters)}><title>T</title></item>'
    resource = f'<resource identifier="r" adlcp:scormtype="sco" href={quoteattr(href)}/>'
    m = parse_manifest(minimal(items=items, resource=resource))
    assert launch_url(m, m.scos()[0]) == expected


@pytest.mark.parametrize(("base", "ref", "expected"), [
    ("", "a.html", "a.html"),
    ("x/", "a.html", "x/a.html"),
    ("x", "a.html", "x/a.html"),
    ("x/y/", "../a.html", "x/a.html"),
    ("x/", "./a.html?q=../b", "x/a.html?q=../b"),
    ("x/", "http://cdn.example/a.html", "http://cdn.example/a.html"),
    ("http://cdn.example/c/", "a.html", "http://cdn.example/c/a.html"),
    ("", "../outside.html", "../outside.html"),
])
def test_join_url(base, ref, expected):
    assert join_url(base, ref) == expected


def test_launch_url_of_an_item_without_resource_is_an_error():
    m = fixture_manifest("ispring_12_multi")
    with pytest.raises(ManifestError) as exc:
        launch_url(m, m.default_organization.items[0])
    assert exc.value.code == "manifest.not_launchable"


# --- structural checks ------------------------------------------------------------------------------------


def test_check_manifest_accepts_a_good_manifest():
    assert check_manifest(fixture_manifest("captivate_2004_3rd")) == ([], [])


def test_item_pointing_to_a_missing_resource_is_an_error():
    items = '<item identifier="i" identifierref="r"/><item identifier="j" identifierref="ghost"/>'
    errors, _ = check_manifest(parse_manifest(minimal(items=items)))
    assert codes(errors) == ["manifest.missing_resource"]
    assert "j" in errors[0].message_vi and "j" in errors[0].message_en


def test_duplicate_identifiers_are_an_error():
    items = '<item identifier="i" identifierref="r"/><item identifier="i" identifierref="r"/>'
    errors, _ = check_manifest(parse_manifest(minimal(items=items)))
    assert codes(errors) == ["manifest.duplicate_identifier"]


def test_no_organization_is_an_error():
    xml = b'<manifest identifier="m"><metadata><schemaversion>1.2</schemaversion></metadata>' \
          b'<organizations/><resources/></manifest>'
    m = parse_manifest(xml)
    assert m.default_organization is None and m.scos() == []
    assert codes(check_manifest(m)[0]) == ["manifest.no_organization"]


def test_organization_without_launchable_items_is_an_error():
    errors, _ = check_manifest(parse_manifest(minimal(items='<item identifier="i"><title>T</title></item>')))
    assert codes(errors) == ["manifest.no_launchable_item"]


def test_missing_dependency_is_a_warning():
    resource = '<resource identifier="r" adlcp:scormtype="sco" href="a.html"><dependency identifierref="x"/></resource>'
    errors, warnings = check_manifest(parse_manifest(minimal(resource=resource)))
    assert errors == [] and codes(warnings) == ["manifest.dependency_missing"]


# --- safe XML -----------------------------------------------------------------------------------------


def test_parse_xml_refuses_entities_in_any_encoding():
    doc = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "b">]><m>&a;</m>'
    for encoding in ("utf-8", "utf-16"):
        with pytest.raises(ManifestError) as exc:
            parse_xml(doc.encode(encoding))
        assert exc.value.code == "manifest.xml_entities"


def test_parse_xml_refuses_external_entities_and_dtds():
    with pytest.raises(ManifestError) as exc:
        parse_xml(b'<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m>&x;</m>')
    assert exc.value.code == "manifest.xml_entities"
    with pytest.raises(ManifestError) as exc:
        parse_xml(b'<!DOCTYPE m PUBLIC "-//x//y" "http://127.0.0.1:9/m.dtd"><m/>')
    assert exc.value.code == "manifest.xml_external"


def test_parse_xml_allows_a_bare_doctype_and_utf16():
    assert parse_xml(b"<!DOCTYPE m><m/>").tag == "m"
    assert parse_xml('<?xml version="1.0" encoding="UTF-16"?><m a="ố"/>'.encode("utf-16")).get("a") == "ố"


def test_parse_xml_is_strict_about_undeclared_prefixes_and_syntax():
    for bad in (b"<m><a:b/></m>", b"<m>", b"", b"\xff\xfe\x00"):
        with pytest.raises(ManifestError) as exc:
            parse_xml(bad)
        assert exc.value.code == "manifest.xml_invalid"
