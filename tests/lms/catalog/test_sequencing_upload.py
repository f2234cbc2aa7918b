"""The upload report page shows what a package's sequencing does (issue 17): information findings plus
the not-applied warning, never "valid, no warnings" for a package with sequencing."""

from __future__ import annotations

import pytest

from lms.catalog import services
from lms.core.db import db
from scorm.build_course import Activity, CourseSource, build_course_package
from scorm.sequencing import ControlMode, RandomizationControls, RuleCondition, Sequencing, SequencingRule
from tests.lms.catalog.helpers import simple_package


@pytest.fixture
def module(app, tree, auth):
    auth.login("gv.hanoi")
    module = services.create_module("SEQ2024", "Khoá có trình tự", topic="union_law", hours=1,
                                    created_by_id=tree["lecturer"].id)
    db.session.commit()
    return module


def test_version_page_lists_the_sequencing_features(client, module, tmp_path):
    # randomization is not applied by the player (tests/scorm/test_engine.py), hence the warning
    skip = Sequencing(sequencing_rules=(SequencingRule("pre", "skip", (RuleCondition("satisfied"),)),),
                      randomization_controls=RandomizationControls(reorder_children=True, randomization_timing="once"))
    course = CourseSource("SEQ", "Khoá", (Activity("PRE", "Đầu vào"), Activity("LESSON", "Bài học", sequencing=skip)),
                          sequencing=Sequencing(control_mode=ControlMode(choice=False, flow=True)))
    services.import_package(module, build_course_package(course, tmp_path / "seq.zip"), publish=False)
    db.session.commit()
    page = client.get("/modules/SEQ2024/versions/1").get_data(as_text=True)
    assert 'id="report-sequencing"' in page
    assert "Gói dùng điều hướng tuần tự bắt buộc (flow, choice=false)" in page
    assert "Quy tắc tiền điều kiện: LESSON: skip khi đã đạt (satisfied)." in page
    assert 'data-code="sequencing.not_applied"' in page and "randomizationControls" in page
    assert "không có cảnh báo" not in page


def test_package_without_sequencing_has_no_sequencing_section(client, module, tmp_path):
    services.import_package(module, simple_package(tmp_path), publish=False)
    db.session.commit()
    page = client.get("/modules/SEQ2024/versions/1").get_data(as_text=True)
    assert 'id="report-warnings"' in page and 'id="report-sequencing"' not in page
