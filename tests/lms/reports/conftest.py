"""A small world for the report tests: the ``tree`` plus cadres, a module, a standard, records, a class."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.catalog.models import Module
from lms.core.db import db
from lms.records.classes import ClassData, add_attendee, close_class, create_class
from lms.records.services import append_record, revoke_record
from lms.reports.services import today
from lms.standards import engine
from lms.standards import services as standards
from lms.standards.loader import validate_standard
from tests.factories import gen_cadre, gen_unit


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


@pytest.fixture
def world(tree):
    """Hà Nội has three active cadres (plus one inactive), Cao Bằng one; a requirement applies to all.

    - Nhung (HN-CDCS-1) completed module ATVSLD 30 days ago → compliant; she has an email.
    - Đức (HN-CDCS-1) attended an in-person OSH class (closed) → not the module → overdue (due 180 days
      after appointment on 2024-01-15). He has an email.
    - Ánh (HN-CDCS-2, under HN-KCN) has nothing → overdue; no email.
    - Dũng (Cao Bằng) has nothing → overdue.
    """
    year = today().year
    hn_base2 = gen_unit("HN-CDCS-2", "Công đoàn Bệnh viện Đa khoa Đống Đa", "CĐCS", tree["hn_up"])
    nhung = tree["hn_cadre"]
    nhung.email = "nhung@example.vn"
    duc = gen_cadre(tree["hn_base"], "HN0002", "Lê Văn Đức", email="duc@example.vn")
    anh = gen_cadre(hn_base2, "HN0003", "Phạm Thị Ngọc Ánh", gender="female")
    gen_cadre(hn_base2, "HN0004", "Đỗ Thị Nghỉ Hưu", active=False)
    tree["hn_manager"].email = "ql.hanoi@example.vn"
    module = Module(code="ATVSLD", title_vi="An toàn, vệ sinh lao động và vai trò của công đoàn", topic="osh",
                    hours=4)
    db.session.add(module)
    db.session.flush()
    data = validate_standard({
        "code": "CHUAN-2025", "name_vi": "Chuẩn bồi dưỡng cán bộ công đoàn", "target_pct": 85,
        "effective_from": "2024-01-01",
        "requirements": [{"code": "ATVSLD-01", "name_vi": "Bồi dưỡng an toàn, vệ sinh lao động",
                          "applies_to": {}, "satisfied_by": [{"any_modules": ["ATVSLD"]}], "due_days": 180}],
    })
    std, _ = standards.upsert_standard(data, date(2024, 1, 1))
    in_year = max(date(year, 1, 2), days_ago(30))
    nhung_record = append_record(nhung.id, source="online", completed_on=in_year, topic="osh", hours=4,
                                 module_id=module.id, dedupe_key="t:nhung")
    klass = create_class(ClassData(title="Lớp tập huấn ATVSLĐ quận Đống Đa", starts_on=in_year, ends_on=in_year,
                                   hours=8, org_unit=tree["hn_base"], topic="osh", place="Hà Nội"),
                         actor=tree["hn_manager"])
    add_attendee(klass, duc, actor=tree["hn_manager"])
    close_class(klass, actor=tree["hn_manager"])
    # counted nowhere: last year's record, Cao Bằng's record, a revoked record
    append_record(duc.id, source="in_person", completed_on=date(year - 1, 6, 1), topic="osh", hours=4)
    append_record(tree["cb_cadre"].id, source="in_person", completed_on=in_year, topic="finance", hours=4)
    wrong = append_record(anh.id, source="in_person", completed_on=in_year, topic="osh", hours=4)
    revoke_record(wrong, reason="Nhập nhầm người", actor=tree["hn_manager"])
    engine.recompute(today())
    db.session.commit()
    return {**tree, "hn_base2": hn_base2, "duc": duc, "anh": anh, "module": module, "standard": std,
            "requirement": std.requirements[0], "nhung_record": nhung_record, "klass": klass, "year": year}
