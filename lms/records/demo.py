"""Demo records: a closed in-person class, and the demo learner's history (one corrected, one revoked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.accounts.scope import in_subtree
from lms.accounts.services import find_user
from lms.catalog.models import Module
from lms.core.db import db
from lms.demo import demo_step
from lms.org.models import Cadre, OrgUnit
from lms.records.classes import ClassData, add_attendee, close_class, create_class
from lms.records.models import TrainingClass, TrainingRecord
from lms.records.services import append_record, correct_record, revoke_record

CLASS_TITLE = "Tập huấn nghiệp vụ ATVSLĐ cho an toàn, vệ sinh viên năm 2025"


@demo_step(45, "Hồ sơ đào tạo: lớp tập huấn và lịch sử (training records)")
def seed_records(echo: Callable[[str], None]) -> None:
    """Create the demo class and the learner's history once."""
    from lms.org.demo import LEARNER_CADRE, MANAGER_UNIT

    lecturer = find_user("gv.hanoi")
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == MANAGER_UNIT))
    if lecturer is None or unit is None:
        return
    osh = db.session.scalar(select(Module).where(Module.topic == "osh").order_by(Module.code))
    if db.session.scalar(select(TrainingClass.id).where(TrainingClass.title == CLASS_TITLE)) is None:
        klass = create_class(ClassData(
            title=CLASS_TITLE, starts_on=date(2025, 5, 6), ends_on=date(2025, 5, 7), hours=Decimal("16"),
            org_unit=unit, module=osh, topic=None if osh else "osh", place="Cung Văn hóa Lao động Hữu nghị Việt Xô",
            lecturer_name=lecturer.full_name,
        ), actor=lecturer)
        # the safety-and-hygiene officers (ATVSV) of the province's grassroots unions, as the title says
        cadres = db.session.scalars(
            select(Cadre).join(Cadre.org_unit).where(in_subtree(unit), Cadre.active, Cadre.position == "osh_officer")
            .order_by(Cadre.id).limit(36)
        ).all()
        for i, cadre in enumerate(cadres):
            add_attendee(klass, cadre, actor=lecturer, present=i % 6 != 5, score=70 + (i * 3) % 30)
        echo(f"  lớp tập huấn: {close_class(klass, actor=lecturer)} bản ghi")
    learner = db.session.scalar(select(Cadre).where(Cadre.code == LEARNER_CADRE))
    if learner is None or db.session.scalar(
            select(TrainingRecord.id).where(TrainingRecord.dedupe_key == f"demo:{learner.id}:1")):
        return
    first = append_record(learner.id, source="import", completed_on=date(2023, 4, 12), topic="union_law",
                          hours=8, evidence={"file": "so-theo-doi-2023.xlsx", "row": 3},
                          dedupe_key=f"demo:{learner.id}:1")
    second = append_record(learner.id, source="import", completed_on=date(2024, 9, 20), topic="finance",
                           hours=4, dedupe_key=f"demo:{learner.id}:2", evidence={"file": "so-theo-doi-2024.xlsx", "row": 7})
    correct_record(first, hours=12, reason="Sổ theo dõi ghi thiếu buổi chiều ngày 12/4", actor=lecturer)
    revoke_record(second, reason="Trùng với lớp đã ghi ở đơn vị khác", actor=lecturer)
    echo("  lịch sử đào tạo của học viên demo")


@demo_step(46, "Hồ sơ đào tạo mẫu theo tỉnh (training history per province)")
def seed_history(echo: Callable[[str], None]) -> None:
    """Online modules, quizzes, in-person classes and tracking books for the cadres with requirements."""
    from lms.records import demo_history
    from lms.standards.engine import today_vn

    demo_history.seed_history(echo, today_vn())
