"""The state an import plans against: units and cadres as stored, the plan and its report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from lms.core.db import db
from lms.org.importer.reader import KEY_POSITIONS, CadreRow, UnitRow
from lms.org.models import Cadre, Employment, OrgUnit, Position

BATCH = 2000
#: codes per ``IN (…)`` when pre-loading (well under SQLite's variable limit)
IN_CHUNK = 900
CADRE_FIELDS = ("full_name", "gender", "birth_date", "email", "phone", "unit", "position", "employment",
                "is_key", "appointed_on", "active")


@dataclass(slots=True)
class UnitState:
    """A unit as it is in the database (or will be, once placed)."""

    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str
    depth: int
    active: bool


@dataclass
class ImportReport:
    """What an import creates, updates and deactivates (a dry run reports the same without writing)."""

    units_created: list[tuple[str, str]] = field(default_factory=list)
    units_updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    units_unchanged: int = 0
    cadres_created: list[tuple[str, str, str]] = field(default_factory=list)
    cadres_updated: list[tuple[str, str, list[str]]] = field(default_factory=list)
    cadres_deactivated: list[tuple[str, str]] = field(default_factory=list)
    cadres_unchanged: int = 0
    applied: bool = False
    #: learner accounts of the file's cadres (created, linked, existing, skipped): lms.accounts.provision
    accounts: dict[str, int] = field(default_factory=dict)
    #: "deactivate missing cadres" was asked but not done: a cadre row had errors (its cadre would look absent)
    deactivation_skipped: bool = False

    def counts(self) -> dict[str, int]:
        """The numbers, for summaries and JSON."""
        return {"units_created": len(self.units_created), "units_updated": len(self.units_updated),
                "units_unchanged": self.units_unchanged, "cadres_created": len(self.cadres_created),
                "cadres_updated": len(self.cadres_updated), "cadres_deactivated": len(self.cadres_deactivated),
                "cadres_unchanged": self.cadres_unchanged}


@dataclass
class Plan:
    """The writes an import will make, computed and checked before any of them."""

    report: ImportReport
    units: dict[str, UnitState]
    final_parent: dict[str, str | None]
    file_units: dict[str, UnitRow]
    unit_inserts: list[dict[str, Any]] = field(default_factory=list)
    unit_updates: list[dict[str, Any]] = field(default_factory=list)
    unit_moves: set[str] = field(default_factory=set)
    #: new cadres, as rows: their values are built batch by batch at apply time (memory)
    cadre_inserts: list[CadreRow] = field(default_factory=list)
    cadre_fields: set[str] = field(default_factory=set)
    cadre_updates: list[dict[str, Any]] = field(default_factory=list)
    cadre_deactivations: list[int] = field(default_factory=list)



def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def load_units() -> dict[str, UnitState]:
    """Every unit by code (units are thousands, not millions)."""
    rows = db.session.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id,
                                     OrgUnit.path, OrgUnit.depth, OrgUnit.active))
    return {r.code: UnitState(*r) for r in rows}


def parent_code(plan: Plan, state: UnitState | None) -> str | None:
    if state is None or state.parent_id is None:
        return None
    return next((c for c, u in plan.units.items() if u.id == state.parent_id), None)


def load_cadres(codes: list[str]) -> dict[str, Any]:
    """Existing cadres with these codes (in chunks), by code."""
    found: dict[str, Any] = {}
    columns = (Cadre.id, Cadre.code, Cadre.full_name, Cadre.gender, Cadre.birth_date, Cadre.email, Cadre.phone,
               Cadre.org_unit_id, Cadre.position, Cadre.employment, Cadre.is_key, Cadre.appointed_on, Cadre.active)
    for chunk in chunks(codes, IN_CHUNK):
        for row in db.session.execute(select(*columns).where(Cadre.code.in_(chunk))):
            found[row.code] = row
    return found


def cadre_values(r: CadreRow, present: set[str], old: Any, by_id: dict[int, str]) -> dict[str, Any]:
    """The cadre's values after the import: absent optional columns keep the stored value."""
    values: dict[str, Any] = {"full_name": r.full_name, "gender": r.gender, "unit": r.unit, "position": r.position}
    for name in ("birth_date", "email", "phone", "appointed_on"):
        if name in present:
            values[name] = getattr(r, name)
        else:
            values[name] = getattr(old, name) if old is not None else None
    default_employment = (Employment.full_time if r.position == Position.full_time_officer
                          else Employment.part_time).value
    values["employment"] = r.employment or (old.employment if old is not None else default_employment)
    values["is_key"] = r.is_key if r.is_key is not None else r.position in KEY_POSITIONS
    values["active"] = r.active if r.active is not None else True
    return values


