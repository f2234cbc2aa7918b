"""Report figures: compliance over a subtree (from the standards engine), plans against actuals.

Everything here takes plain values (a unit, a date, a year) and returns plain rows, so the pages,
the exports and the ``lms report`` commands show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, distinct, func, select

from lms.catalog.models import TOPIC_LABELS, Topic
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.scope import in_subtree
from lms.org.models import Cadre, OrgUnit
from lms.records.models import Source
from lms.reports.exports import Column, Table
from lms.reports.models import PlanTarget, TrainingPlan

STATE_KEYS = ("compliant", "due_soon", "overdue", "expired", "not_yet_due", "waived")


def today() -> date:
    """Today in Vietnam (the compliance engine's day), so figures match the stored statuses."""
    try:
        from lms.standards.engine import today_vn
    except ImportError:  # pragma: no cover - before the standards feature exists
        return date.today()
    return today_vn()


def _engine_day(as_of: date) -> date | None:
    """None (the stored statuses) for today, else the day for the engine's as-of query."""
    return None if as_of == today() else as_of


def pct(part: int | float, whole: int | float) -> float:
    """``part`` of ``whole`` in percent, one decimal; 0 when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else 0.0


# ---------------------------------------------------------------- compliance


def compliance_rows(unit: OrgUnit, as_of: date) -> list[dict[str, Any]]:
    """Per requirement over ``unit``'s subtree: code, name, target_pct, applicable, each state, pct."""
    from lms.standards.services import unit_summary

    if not _has_requirements(as_of):
        return []
    return [_normalize(raw) for raw in unit_summary(unit, as_of=_engine_day(as_of))]


def _has_requirements(as_of: date) -> bool:
    """True when a requirement is in force on ``as_of`` (the engine's as-of query needs one)."""
    from lms.standards.engine import requirements_in_force

    return bool(requirements_in_force(as_of))


def _normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """One requirement row with every count present (ints) and pct a float."""
    row = {key: int(raw.get(key) or 0) for key in ("applicable", *STATE_KEYS)}
    row.update(code=raw.get("code", ""), name=raw.get("name", ""), target_pct=float(raw.get("target_pct") or 0))
    row["valid"] = int(raw.get("valid", row["compliant"] + row["waived"]) or 0)
    row["pct"] = float(raw["pct"]) if raw.get("pct") is not None else pct(row["valid"], row["applicable"])
    return row


@dataclass
class Overall:
    """A unit's totals over all requirements."""

    applicable: int = 0
    compliant: int = 0
    due_soon: int = 0
    overdue: int = 0
    expired: int = 0
    not_yet_due: int = 0
    waived: int = 0
    #: met: compliant, waived, or satisfied and in the renewal window (the engine's "valid")
    valid: int = 0

    @property
    def pct(self) -> float:
        """Met over applicable, in percent."""
        return pct(self.valid, self.applicable)


def overall(rows: list[dict[str, Any]]) -> Overall:
    """Totals of :func:`compliance_rows`."""
    total = Overall()
    for row in rows:
        for key in ("applicable", "valid", *STATE_KEYS):
            setattr(total, key, getattr(total, key) + row[key])
    return total


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    """Active direct children, by name."""
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id, OrgUnit.active)
                                   .order_by(OrgUnit.name)))


def children_compliance(unit: OrgUnit, as_of: date) -> list[tuple[OrgUnit, Overall]]:
    """Each child unit with its subtree's totals."""
    from lms.standards.services import children_summary

    out: list[tuple[OrgUnit, Overall]] = []
    if not _has_requirements(as_of):
        return [(child, Overall()) for child in children_of(unit)]
    for entry in children_summary(unit, as_of=_engine_day(as_of)):
        if not entry["unit"].active:
            continue
        out.append((entry["unit"], overall([_normalize(r) for r in entry["requirements"]])))
    return out


def month_ends(as_of: date, months: int = 12) -> list[date]:
    """The last day of each of the ``months`` months up to ``as_of`` (the last one is ``as_of``)."""
    days = [as_of]
    cursor = as_of.replace(day=1)
    for _ in range(months - 1):
        cursor = cursor - timedelta(days=1)
        days.append(cursor)
        cursor = cursor.replace(day=1)
    return list(reversed(days))


def trend(unit: OrgUnit, as_of: date, months: int = 12) -> list[tuple[date, float]]:
    """Overall compliance at each month end of the last ``months`` months."""
    return [(day, overall(compliance_rows(unit, day)).pct) for day in month_ends(as_of, months)]


def compliance_tables(unit: OrgUnit, as_of: date) -> list[Table]:
    """The compliance report as tables: per requirement, then per child unit."""
    rows = compliance_rows(unit, as_of)
    total = overall(rows)
    per_requirement = Table(
        title="Kết quả thực hiện chuẩn đào tạo theo yêu cầu",
        columns=[Column("Mã yêu cầu", 14), Column("Yêu cầu", 40), Column("Chỉ tiêu (%)", 10, "pct"),
                 Column("Số CB áp dụng", 10, "int"), Column("Đạt", 8, "int"), Column("Sắp đến hạn", 9, "int"),
                 Column("Quá hạn", 8, "int"), Column("Hết hiệu lực", 9, "int"), Column("Chưa đến hạn", 9, "int"),
                 Column("Được miễn", 8, "int"), Column("Tỷ lệ đạt (%)", 10, "pct")],
        rows=[[r["code"], r["name"], r["target_pct"], r["applicable"], r["compliant"], r["due_soon"],
               r["overdue"], r["expired"], r["not_yet_due"], r["waived"], r["pct"]] for r in rows]
        + [["", "Tổng cộng", None, total.applicable, total.compliant, total.due_soon, total.overdue,
            total.expired, total.not_yet_due, total.waived, total.pct]],
    )
    children = children_compliance(unit, as_of)
    per_child = Table(
        title="Kết quả theo đơn vị trực thuộc",
        columns=[Column("Mã đơn vị", 14), Column("Đơn vị", 44), Column("Lượt áp dụng", 11, "int"),
                 Column("Đạt", 9, "int"), Column("Sắp đến hạn", 10, "int"), Column("Quá hạn", 9, "int"),
                 Column("Hết hiệu lực", 10, "int"), Column("Tỷ lệ đạt (%)", 11, "pct")],
        rows=[[c.code, c.name, o.applicable, o.compliant, o.due_soon, o.overdue, o.expired, o.pct]
              for c, o in children],
    )
    return [per_requirement, per_child]


def cadre_status_table(unit: OrgUnit, as_of_label: str = "") -> Table:
    """Every active cadre of the subtree with their stored compliance counts (streamed)."""
    return Table(
        title="Danh sách cán bộ",
        columns=[Column("Mã cán bộ", 12), Column("Họ và tên", 28), Column("Giới tính", 9),
                 Column("Ngày sinh", 12, "date"), Column("Mã đơn vị", 14), Column("Đơn vị", 40),
                 Column("Chức vụ", 24), Column("Chuyên trách", 16), Column("Chủ chốt", 9), Column("Email", 28),
                 Column("Số yêu cầu", 10, "int"), Column("Đạt", 8, "int"), Column("Quá hạn", 8, "int"),
                 Column("Sắp đến hạn", 10, "int")],
        rows=_cadre_rows(unit),
        subtitle=[as_of_label] if as_of_label else [],
    )


def _status_counts():
    """Per cadre: requirements, compliant (or waived), overdue (or expired), due soon — or None without the engine."""
    try:
        from lms.standards.models import ComplianceStatus
    except ImportError:  # pragma: no cover - before the standards feature exists
        return None
    state = ComplianceStatus.state
    return (
        select(
            ComplianceStatus.cadre_id.label("cadre_id"),
            func.count().label("total"),
            func.sum(case((state.in_(["compliant", "waived"]), 1), else_=0)).label("ok"),
            func.sum(case((state.in_(["overdue", "expired"]), 1), else_=0)).label("late"),
            func.sum(case((state == "due_soon", 1), else_=0)).label("soon"),
        ).group_by(ComplianceStatus.cadre_id).subquery()
    )


def _cadre_rows(unit: OrgUnit) -> Iterator[tuple]:
    from lms.org.models import EMPLOYMENT_LABELS, GENDER_LABELS, POSITION_LABELS

    counts = _status_counts()
    columns = [Cadre.code, Cadre.full_name, Cadre.gender, Cadre.birth_date, OrgUnit.code, OrgUnit.name,
               Cadre.position, Cadre.employment, Cadre.is_key, Cadre.email]
    query = select(*columns).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
    if counts is not None:
        query = query.add_columns(counts.c.total, counts.c.ok, counts.c.late, counts.c.soon).outerjoin(
            counts, counts.c.cadre_id == Cadre.id)
    query = query.where(in_subtree(unit), Cadre.active).order_by(OrgUnit.path, Cadre.full_name, Cadre.id)
    result = db.session.execute(query.execution_options(yield_per=2000, stream_results=True))
    for row in result:
        values = list(row)
        values[2] = GENDER_LABELS.get(values[2], ("", ""))[0] if values[2] in GENDER_LABELS else values[2]
        values[6] = POSITION_LABELS.get(values[6], (values[6], ""))[0]
        values[7] = EMPLOYMENT_LABELS.get(values[7], (values[7], ""))[0]
        values[10:] = [int(v or 0) for v in values[10:]] or [0, 0, 0, 0]
        yield tuple(values)


# ---------------------------------------------------------------- plans


def get_plan(unit: OrgUnit, year: int) -> TrainingPlan | None:
    """The unit's plan for ``year``, if any."""
    return db.session.scalar(select(TrainingPlan).where(TrainingPlan.org_unit_id == unit.id,
                                                        TrainingPlan.year == year))


def save_plan(unit: OrgUnit, year: int, targets: dict[str, dict[str, Any]], *, title: str = "", note: str = "",
              user_id: int | None = None) -> TrainingPlan:
    """Create or replace the unit's plan for ``year``; ``targets`` maps topic -> classes, learners, trained_pct.

    Every value is checked first, so a bad one changes nothing.
    """
    if not 2000 <= year <= 2100:
        raise UserError("Năm kế hoạch không hợp lệ.", "Invalid plan year.", 422, "plan_year")
    clean = {topic: _clean_target(topic, values) for topic, values in targets.items()}
    plan = get_plan(unit, year)
    if plan is None:
        plan = TrainingPlan(org_unit_id=unit.id, year=year, created_by_id=user_id)
        db.session.add(plan)
    plan.title = (title or f"Kế hoạch đào tạo năm {year}")[:255]
    plan.note = note or ""
    plan.targets = [t for t in plan.targets if t.topic in clean and _fill(t, clean[t.topic])]
    have = {t.topic for t in plan.targets}
    for topic, values in clean.items():
        if topic not in have and any(values.values()):
            plan.targets.append(PlanTarget(topic=topic, **values))
    db.session.flush()
    return plan


def _fill(target: PlanTarget, values: dict[str, Any]) -> bool:
    for key, value in values.items():
        setattr(target, key, value)
    return any(values.values())


def _clean_target(topic: str, values: dict[str, Any]) -> dict[str, Any]:
    if topic not in {t.value for t in Topic}:
        raise UserError(f"Chủ đề không hợp lệ: {topic}", f"Unknown topic: {topic}", 422, "plan_topic")
    label = TOPIC_LABELS[Topic(topic)][0]
    try:
        classes = int(values.get("classes") or 0)
        learners = int(values.get("learners") or 0)
        trained = Decimal(str(values.get("trained_pct") or 0)).quantize(Decimal("0.01"))
    except (ValueError, ArithmeticError) as exc:
        raise UserError(f"Chỉ tiêu của chủ đề “{label}” phải là số.", f"Targets of {topic} must be numbers.",
                        422, "plan_number") from exc
    if classes < 0 or learners < 0 or not Decimal(0) <= trained <= Decimal(100):
        raise UserError(f"Chỉ tiêu của chủ đề “{label}”: số lớp, lượt học viên không âm; tỷ lệ từ 0 đến 100.",
                        f"Targets of {topic}: counts must be ≥ 0 and the rate 0–100.", 422, "plan_range")
    return {"classes": classes, "learners": learners, "trained_pct": trained}


@dataclass
class Actual:
    """What a subtree did in a year on one topic (or all topics)."""

    classes: int = 0
    learners: int = 0
    trained: int = 0
    active: int = 0

    @property
    def trained_pct(self) -> float:
        """Share of active cadres trained."""
        return pct(self.trained, self.active)


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _effective(unit: OrgUnit, start: date, end: date):
    """Effective ledger rows (revocations and corrections applied, no waivers) of the subtree in the period."""
    from lms.records.services import effective_records

    eff = effective_records().subquery("eff")
    return eff, (
        select(eff.c.topic).select_from(eff)
        .join(Cadre, eff.c.cadre_id == Cadre.id).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
        .where(in_subtree(unit), eff.c.source != Source.waiver.value, eff.c.completed_on.between(start, end))
    )


def actuals(unit: OrgUnit, year: int) -> tuple[dict[str, Actual], Actual]:
    """Per topic and in total: classes held, attendances (records), cadres trained, active cadres."""
    start, end = _year_range(year)
    active = db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
                               .where(in_subtree(unit), Cadre.active)) or 0
    by_topic: dict[str, Actual] = {t.value: Actual(active=active) for t in Topic}
    eff, record_base = _effective(unit, start, end)
    for topic, learners, trained in db.session.execute(
        record_base.add_columns(func.count(eff.c.record_id), func.count(distinct(case((Cadre.active, Cadre.id)))))
        .group_by(eff.c.topic)
    ):
        by_topic.setdefault(topic, Actual(active=active))
        by_topic[topic].learners, by_topic[topic].trained = int(learners), int(trained)
    for topic, classes in _classes_held(unit, start, end):
        by_topic.setdefault(topic, Actual(active=active)).classes = int(classes)
    total = Actual(active=active, classes=sum(a.classes for a in by_topic.values()),
                   learners=sum(a.learners for a in by_topic.values()))
    total.trained = db.session.scalar(
        record_base.with_only_columns(func.count(distinct(Cadre.id))).where(Cadre.active)
    ) or 0
    return by_topic, total


def _classes_held(unit: OrgUnit, start: date, end: date):
    """(topic, count) of closed in-person classes of the subtree that ended in the period."""
    try:
        from lms.records.models import TrainingClass
    except ImportError:  # pragma: no cover - before the records feature ships classes
        return []
    return db.session.execute(
        select(TrainingClass.topic, func.count(TrainingClass.id))
        .join(OrgUnit, TrainingClass.org_unit_id == OrgUnit.id)
        .where(in_subtree(unit), TrainingClass.status == "closed", TrainingClass.ends_on.between(start, end))
        .group_by(TrainingClass.topic)
    ).all()


@dataclass
class PlanLine:
    """One topic of a plan against its actuals."""

    topic: str
    label: str
    target: PlanTarget | None
    actual: Actual

    def ratio(self, what: str) -> float | None:
        """Actual over target in percent for ``classes``/``learners``/``trained_pct``; None without a target."""
        target = float(getattr(self.target, what, 0) or 0) if self.target else 0.0
        value = self.actual.trained_pct if what == "trained_pct" else getattr(self.actual, what)
        return pct(value, target) if target else None


@dataclass
class PlanReport:
    """A unit's plan for a year against the actuals of its subtree, with its children as rows."""

    unit: OrgUnit
    year: int
    plan: TrainingPlan | None
    lines: list[PlanLine]
    total: Actual
    children: list[tuple[OrgUnit, TrainingPlan | None, Actual]] = field(default_factory=list)

    def planned(self, what: str) -> int:
        """Sum of the plan's targets (classes or learners)."""
        return sum(getattr(t, what) for t in self.plan.targets) if self.plan else 0


def plan_report(unit: OrgUnit, year: int) -> PlanReport:
    """Plan against actual for ``unit`` and ``year``; topics shown when planned or done."""
    plan = get_plan(unit, year)
    by_topic, total = actuals(unit, year)
    lines = []
    for topic in Topic:
        target = plan.target_for(topic.value) if plan else None
        actual = by_topic.get(topic.value, Actual(active=total.active))
        if target is not None or actual.classes or actual.learners:
            lines.append(PlanLine(topic.value, TOPIC_LABELS[topic][0], target, actual))
    children = [(child, get_plan(child, year), actuals(child, year)[1]) for child in children_of(unit)]
    return PlanReport(unit, year, plan, lines, total, children)


def plan_tables(report: PlanReport) -> list[Table]:
    """The plan report as tables: per topic, then per child unit."""
    def target(line: PlanLine, what: str):
        return getattr(line.target, what) if line.target else None

    topics = Table(
        title=f"Kế hoạch và kết quả đào tạo năm {report.year}",
        columns=[Column("Chủ đề", 30), Column("Số lớp KH", 9, "int"), Column("Số lớp TH", 9, "int"),
                 Column("Đạt (%)", 8, "pct"), Column("Lượt HV KH", 10, "int"), Column("Lượt HV TH", 10, "int"),
                 Column("Đạt (%)", 8, "pct"), Column("Tỷ lệ CB được ĐT KH (%)", 12, "pct"),
                 Column("Tỷ lệ CB được ĐT TH (%)", 12, "pct")],
        rows=[[ln.label, target(ln, "classes"), ln.actual.classes, ln.ratio("classes"), target(ln, "learners"),
               ln.actual.learners, ln.ratio("learners"),
               float(ln.target.trained_pct) if ln.target else None, ln.actual.trained_pct] for ln in report.lines]
        + [["Tổng cộng", report.planned("classes") if report.plan else None, report.total.classes,
            pct(report.total.classes, report.planned("classes")) if report.planned("classes") else None,
            report.planned("learners") if report.plan else None, report.total.learners,
            pct(report.total.learners, report.planned("learners")) if report.planned("learners") else None,
            None, report.total.trained_pct]],
    )
    children = Table(
        title="Kết quả theo đơn vị trực thuộc",
        columns=[Column("Mã đơn vị", 14), Column("Đơn vị", 40), Column("Số lớp KH", 9, "int"),
                 Column("Số lớp TH", 9, "int"), Column("Lượt HV KH", 10, "int"), Column("Lượt HV TH", 10, "int"),
                 Column("Số CB", 8, "int"), Column("CB được ĐT", 9, "int"), Column("Tỷ lệ (%)", 9, "pct")],
        rows=[[c.code, c.name, sum(t.classes for t in p.targets) if p else None, a.classes,
               sum(t.learners for t in p.targets) if p else None, a.learners, a.active, a.trained, a.trained_pct]
              for c, p, a in report.children],
    )
    return [topics, children]


# ---------------------------------------------------------------- certificates


CERTIFICATE_STATES = {"valid": "Còn hiệu lực", "expired": "Hết hạn", "revoked": "Đã thu hồi"}


def certificate_query(unit: OrgUnit, *, q: str = "", state: str = "", on: date | None = None):
    """Certificates of cadres in ``unit``'s subtree, newest first; ``q`` matches name (no diacritics) or code."""
    from lms.core.i18n import fold
    from lms.reports.certificates import normalize_code
    from lms.reports.models import Certificate

    on = on or today()
    query = (select(Certificate).join(Cadre, Certificate.cadre_id == Cadre.id)
             .join(OrgUnit, Cadre.org_unit_id == OrgUnit.id).where(in_subtree(unit)))
    if q.strip():
        needle = fold(q.strip())
        query = query.where(Cadre.name_search.contains(needle) | (Certificate.code == normalize_code(q)))
    if state == "revoked":
        query = query.where(Certificate.revoked_at.is_not(None))
    elif state == "expired":
        query = query.where(Certificate.revoked_at.is_(None), Certificate.expires_on < on)
    elif state == "valid":
        query = query.where(Certificate.revoked_at.is_(None),
                            Certificate.expires_on.is_(None) | (Certificate.expires_on >= on))
    return query.order_by(Certificate.issued_on.desc(), Certificate.id.desc())


def certificate_table(unit: OrgUnit, *, q: str = "", state: str = "") -> Table:
    """The certificate list as an exportable table."""
    on = today()

    def rows():
        for c in db.session.scalars(certificate_query(unit, q=q, state=state, on=on).execution_options(yield_per=1000)):
            yield (c.grouped_code, c.holder_name, c.cadre.org_unit.name, c.title,
                   "Học phần" if c.kind == "module" else "Chuẩn đào tạo", float(c.hours), c.completed_on,
                   c.issued_on, c.expires_on, CERTIFICATE_STATES[c.state(on)], c.revoke_reason)

    return Table(
        title="Giấy chứng nhận",
        columns=[Column("Mã xác thực", 32), Column("Họ và tên", 28), Column("Đơn vị", 36), Column("Nội dung", 40),
                 Column("Loại", 14), Column("Số giờ", 8, "num"), Column("Ngày hoàn thành", 14, "date"),
                 Column("Ngày cấp", 12, "date"), Column("Hiệu lực đến", 12, "date"), Column("Trạng thái", 14),
                 Column("Lý do thu hồi", 30)],
        rows=rows(),
    )
