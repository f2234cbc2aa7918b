"""Report figures: compliance over a subtree (from the standards engine), plans against actuals.

Everything here takes plain values (a unit, a date, a year) and returns plain rows, so the pages,
the exports and the ``lms report`` commands show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select

from lms.accounts.scope import in_subtree
from lms.core import clock
from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.reports.exports import Column, Table

STATE_KEYS = ("compliant", "due_soon", "overdue", "expired", "not_yet_due", "waived")


def today() -> date:
    """Today in Vietnam (the compliance engine's day, lms.core.clock), so figures match the stored statuses."""
    return clock.today_vn()


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
