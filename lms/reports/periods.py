"""Summaries per reporting period and the report a federation sends upward.

Union units report to the level above by quarter (quý), half-year (6 tháng) and year, and review a
congress term (nhiệm kỳ, five years — Charter XIII, Art. 10) by comparing its years. A period summary
holds the figures of the upward report: classes held, attendances (lượt học viên), cadres trained,
the share of the cadres a standard applies to who meet it, and the money planned and spent.

The share meeting the standard is the headline (distinct cadres) for a period that ends today or
later, and the engine's as-of figures at the period's last day for a past one.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from lms.core.errors import UserError
from lms.org.models import OrgUnit
from lms.reports.exports import Column, Table
from lms.reports.plans import Budget, budget, period_actuals
from lms.reports.services import children_of, pct, today

ROMAN = ("I", "II", "III", "IV")
#: period keys accepted in URLs and the CLI: quarters, half-years, the year
KINDS = ("q1", "q2", "q3", "q4", "h1", "h2", "y")
#: years compared in the multi-year table (a congress term)
TERM_YEARS = 5


@dataclass(frozen=True)
class Period:
    """A reporting period of one calendar year."""

    year: int
    kind: str  #: one of :data:`KINDS`

    @property
    def start(self) -> date:
        return date(self.year, self._months[0], 1)

    @property
    def end(self) -> date:
        last = self._months[1]
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def _months(self) -> tuple[int, int]:
        if self.kind.startswith("q"):
            q = int(self.kind[1])
            return 3 * q - 2, 3 * q
        return {"h1": (1, 6), "h2": (7, 12), "y": (1, 12)}[self.kind]

    @property
    def label(self) -> str:
        """Vietnamese name: "Quý II/2026", "6 tháng đầu năm 2026", "Năm 2026"."""
        if self.kind.startswith("q"):
            return f"Quý {ROMAN[int(self.kind[1]) - 1]}/{self.year}"
        return {"h1": f"6 tháng đầu năm {self.year}", "h2": f"6 tháng cuối năm {self.year}",
                "y": f"Năm {self.year}"}[self.kind]


def period(year: int, kind: str) -> Period:
    """A :class:`Period`; :class:`UserError` (400) for an unknown kind or year."""
    if kind not in KINDS or not 2000 <= year <= 2100:
        raise UserError("Kỳ báo cáo không hợp lệ.", "Invalid reporting period.", 400, "bad_period")
    return Period(year, kind)


@dataclass
class Summary:
    """The upward report's figures for a subtree and a period."""

    label: str
    classes: int
    attendances: int
    trained: int
    active: int
    met: int
    applicable: int
    money: Budget

    @property
    def trained_pct(self) -> float:
        return pct(self.trained, self.active)

    @property
    def met_pct(self) -> float | None:
        return pct(self.met, self.applicable) if self.applicable else None


def standard_share(unit: OrgUnit, day: date) -> tuple[int, int]:
    """(cadres meeting every standard that applies to them, cadres some standard applies to) on ``day``."""
    from lms.standards import headline
    from lms.standards.engine import today_vn

    if day >= today_vn():
        overall = headline.headline(unit)[0]
        return overall.met, overall.applicable
    return headline.share_as_of(unit, day)


def summarize(unit: OrgUnit, start: date, end: date, label: str) -> Summary:
    """One row of the upward report."""
    _, total = period_actuals(unit, start, end)
    met, applicable = standard_share(unit, min(end, today()))
    return Summary(label, total.classes, total.learners, total.trained, total.active, met, applicable,
                   budget(unit, start, end))


def term_summaries(unit: OrgUnit, year: int) -> list[Summary]:
    """Quarters that have begun, the half-years that have begun, then the year."""
    now = today()
    periods = [Period(year, k) for k in KINDS if Period(year, k).start <= max(now, date(year, 1, 1))]
    return [summarize(unit, p.start, p.end, p.label) for p in periods]


def year_comparison(unit: OrgUnit, last_year: int, years: int = TERM_YEARS) -> list[Summary]:
    """The ``years`` calendar years up to ``last_year``, oldest first (a congress term side by side)."""
    out = []
    for year in range(last_year - years + 1, last_year + 1):
        p = Period(year, "y")
        out.append(summarize(unit, p.start, p.end, p.label))
    return out


def children_summaries(unit: OrgUnit, p: Period) -> list[tuple[OrgUnit, Summary]]:
    """The period's figures for each direct child."""
    return [(child, summarize(child, p.start, p.end, child.name)) for child in children_of(unit)]


_COLUMNS = [Column("Số lớp", 8, "int"), Column("Lượt học viên", 10, "int"), Column("CB được đào tạo", 10, "int"),
            Column("Tỷ lệ CB được ĐT (%)", 10, "pct"), Column("CB đạt chuẩn", 10, "int"),
            Column("CB thuộc diện chuẩn", 10, "int"), Column("Tỷ lệ đạt chuẩn (%)", 10, "pct"),
            Column("Kinh phí KH (đ)", 16, "money"), Column("Kinh phí đã chi (đ)", 16, "money")]


def _row(s: Summary) -> list:
    return [s.classes, s.attendances, s.trained, s.trained_pct, s.met, s.applicable, s.met_pct,
            s.money.planned, s.money.spent]


def upward_tables(unit: OrgUnit, p: Period) -> list[Table]:
    """The report sent upward: the period and its parts, the years of the term, the child units."""
    terms = term_summaries(unit, p.year)
    chosen = summarize(unit, p.start, p.end, p.label)
    return [
        Table(f"Kết quả đào tạo {p.label[0].lower()}{p.label[1:]}",
              [Column("Kỳ", 22), *_COLUMNS], [[chosen.label, *_row(chosen)]]
              + [[s.label, *_row(s)] for s in terms if s.label != chosen.label]),
        Table(f"So sánh các năm {p.year - TERM_YEARS + 1}–{p.year}", [Column("Năm", 12), *_COLUMNS],
              [[s.label, *_row(s)] for s in year_comparison(unit, p.year)]),
        Table(f"Theo đơn vị trực thuộc — {p.label}", [Column("Mã đơn vị", 12), Column("Đơn vị", 32), *_COLUMNS],
              [[c.code, c.name, *_row(s)] for c, s in children_summaries(unit, p)]),
    ]
