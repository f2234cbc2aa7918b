"""The statements built from ledger facts (xAPI 1.0.3 Data §2.4; ADL verbs; the profile in docs/xapi.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from lms.xapi import statements
from lms.xapi.statements import Facts

BASE = "https://lms.congdoan.test"


def _facts(**kw) -> Facts:
    values = {"base_url": BASE, "record_id": 7, "cadre_code": "HN0042", "source": "online",
              "timestamp": datetime(2026, 12, 4, 9, 30), "score": Decimal("85"), "hours": Decimal("4"),
              "module_code": "ATVSLD", "module_title": "An toàn, vệ sinh lao động", "package_number": 2,
              "success": "passed"}
    return Facts(**{**values, **kw})


def test_a_module_completion_is_completed_and_passed():
    assert statements.verbs_for(_facts()) == ["completed", "passed"]
    assert statements.verbs_for(_facts(success="failed")) == ["completed", "failed"]
    assert statements.verbs_for(_facts(success="unknown")) == ["completed"]
    assert statements.verbs_for(_facts(source="in_person", class_id=3)) == ["attended"]
    assert statements.verbs_for(_facts(source="assessment", quiz_id=5)) == ["passed"]
    assert statements.verbs_for(_facts(source="import")) == []
    assert statements.verbs_for(_facts(source="waiver")) == []


def test_the_statement_names_the_cadre_by_account_and_the_module_by_iri():
    body = statements.build(_facts(), "passed")
    assert body["actor"] == {"objectType": "Agent", "account": {"homePage": BASE, "name": "HN0042"}}
    assert "mbox" not in str(body) and "@" not in str(body["actor"])
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert body["object"]["id"] == f"{BASE}/xapi/activities/modules/ATVSLD"
    assert body["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    (version,) = body["context"]["contextActivities"]["other"]
    assert version["id"] == f"{BASE}/xapi/activities/modules/ATVSLD/versions/2"
    assert body["result"] == {"completion": True, "success": True,
                              "score": {"scaled": 0.85, "raw": 85.0, "min": 0, "max": 100}}
    assert body["timestamp"] == "2026-12-04T09:30:00+00:00"


def test_statement_ids_are_deterministic_uuids():
    first, again = statements.build(_facts(), "completed"), statements.build(_facts(), "completed")
    assert first["id"] == again["id"]
    assert first["id"] != statements.build(_facts(), "passed")["id"]
    assert first["id"] != statements.build(_facts(record_id=8), "completed")["id"]
    assert first["id"] != statements.build(_facts(base_url="https://other.test"), "completed")["id"]


def test_an_attendance_is_attended_on_the_class_within_the_module():
    body = statements.build(_facts(source="in_person", class_id=3, class_title="Lớp ATVSLD quý IV",
                                   package_number=None, timestamp=datetime(2026, 12, 4, tzinfo=UTC)), "attended")
    assert body["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert body["object"]["id"] == f"{BASE}/xapi/activities/classes/3"
    assert body["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    (parent,) = body["context"]["contextActivities"]["parent"]
    assert parent["id"] == f"{BASE}/xapi/activities/modules/ATVSLD"


def test_an_lti_completion_names_the_platform():
    body = statements.build(_facts(source="lti", platform="Moodle tỉnh Nam Định"), "completed")
    assert body["context"]["platform"] == "LTI Moodle tỉnh Nam Định"


def test_a_voiding_statement_points_at_the_revoked_one():
    target = statements.build(_facts(), "completed")
    voiding = statements.voiding(BASE, 9, target)
    assert voiding["object"] == {"objectType": "StatementRef", "id": target["id"]}
    assert voiding["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert voiding["id"] == statements.voiding(BASE, 9, target)["id"]
