"""The headline — cadres meeting a standard / cadres it applies to, overdue and due soon in distinct cadres —
equals a direct count on random trees, populations, ledgers and changes.

The direct count is independent of the engine's tables: each cadre's requirements are evaluated from the
ledger by the reference rules (:mod:`lms.standards.rules`), and cadres are counted per standard.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.standards import criteria, engine, headline, hooks, rules
from lms.standards.counts import OVERALL
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.helpers import gen_module, record, standard
from tests.lms.standards.test_properties import (
    REQUIREMENTS,
    SETTINGS,
    _append,
    _in_savepoint,
    cadre_st,
    record_st,
)

STANDARDS = {"STD-A": [REQUIREMENTS[0], REQUIREMENTS[1]], "STD-B": [REQUIREMENTS[2], REQUIREMENTS[3]]}
LEVELS = ["CĐCS", "LĐLĐ tỉnh", "Công đoàn cấp trên trực tiếp cơ sở"]

tree_st = st.lists(st.tuples(st.integers(0, 20), st.integers(0, 2)), min_size=1, max_size=7)
step_st = st.one_of(
    st.tuples(st.just("append"), record_st),
    st.tuples(st.just("move_cadre"), st.fixed_dictionaries({"cadre": st.integers(0, 6), "unit": st.integers(0, 7)})),
    st.tuples(st.just("change_cadre"), st.fixed_dictionaries({
        "cadre": st.integers(0, 6), "employment": st.sampled_from(["full_time", "part_time"]),
        "active": st.booleans()})),
    st.tuples(st.just("recompute"), st.just({})),
    st.tuples(st.just("commit_hooks"), st.just({})),
)


def _world(tree):
    """A root, a province P1 under it, then random units (each under an earlier one); two standards."""
    root = gen_unit(code="R0", level="Tổng Liên đoàn")
    units = [root, gen_unit(code="P1", level="LĐLĐ tỉnh", parent=root)]
    for parent, level in tree:
        units.append(gen_unit(level=LEVELS[level], parent=units[parent % len(units)]))
    mods = {"M1": gen_module("M1", "osh"), "M2": gen_module("M2", "finance")}
    reqs = {}
    for code, items in STANDARDS.items():
        reqs.update(standard(items, code=code, start="2025-01-01"))
    return units, mods, reqs


def _cadres(units, specs):
    out = []
    for i, s in enumerate(specs):
        appointed = None if s["appointed"] is None else date(2024, 6, 1) + timedelta(days=s["appointed"] * 2)
        out.append(gen_cadre(units[(s["unit"] * 3 + i) % len(units)], employment=s["employment"],
                             position=s["position"], is_key=s["is_key"], gender=s["gender"], active=s["active"],
                             appointed_on=appointed))
    return out


def _direct(units, reqs, today):
    """{(unit path or None, standard code or ''): (applicable, met, overdue, due_soon)} from the ledger."""
    ledger = db.session.scalars(select(TrainingRecord)).all()
    per_cadre = {}
    for cadre in db.session.scalars(select(Cadre)):
        unit = db.session.get(OrgUnit, cadre.org_unit_id)
        facts = criteria.CadreFacts(cadre.employment, cadre.position, cadre.is_key, cadre.gender, unit.path,
                                    unit.level, cadre.active)
        effective = rules.effective_records([r for r in ledger if r.cadre_id == cadre.id], day=today)
        states = {}
        for code, req in reqs.items():
            if criteria.matches(req.applies_to, facts):
                o = rules.evaluate(engine.make_plan(req), cadre.appointed_on, effective, today)
                states[code] = (o.state, o.satisfied_on is not None)
        per_cadre[cadre.id] = (unit.path, states)
    by_std = {"": set(reqs)} | {code: {r["code"] for r in items} for code, items in STANDARDS.items()}
    out = {}
    for path in [None, *[u.path for u in units]]:
        for std, codes in by_std.items():
            figures = [0, 0, 0, 0]
            for cadre_path, states in per_cadre.values():
                mine = [v for k, v in states.items() if k in codes]
                if not mine or (path is not None and not cadre_path.startswith(path)):
                    continue
                late = any(s in ("overdue", "expired") for s, _ in mine)
                figures[0] += 1
                figures[1] += all(s in ("compliant", "waived") or (s == "due_soon" and sat) for s, sat in mine)
                figures[2] += late
                figures[3] += (not late) and any(s == "due_soon" for s, _ in mine)
            out[(path, std)] = tuple(figures)
    return out


def _seen(figures) -> dict[str, tuple]:
    return {f.code: (f.applicable, f.met, f.overdue, f.due_soon) for f in figures}


@SETTINGS
@given(tree=tree_st, specs=st.lists(cadre_st, min_size=1, max_size=7), steps=st.lists(step_st, max_size=12))
def test_headline_equals_direct_count_of_cadres(app, tree, specs, steps):
    """After random appends, moves, changed cadres and recomputes, for every unit, the whole tree and each
    child: the headline (per standard and overall) equals the direct count of distinct cadres."""

    def body():
        units, mods, reqs = _world(tree)
        cadres = _cadres(units, specs)
        engine.recompute()
        previous = []
        for kind, spec in steps:
            if kind == "append":
                previous.append(_append(cadres, mods, reqs, spec, previous))
            elif kind == "move_cadre":
                cadres[spec["cadre"] % len(cadres)].org_unit_id = units[spec["unit"] % len(units)].id
            elif kind == "change_cadre":
                cadre = cadres[spec["cadre"] % len(cadres)]
                cadre.employment, cadre.active = spec["employment"], spec["active"]
            elif kind == "recompute":
                engine.recompute()
            else:
                hooks._before_commit(db.session)
        hooks._before_commit(db.session)
        db.session.expire_all()
        expected = _direct(units, reqs, engine.today_vn())
        codes = ["", *STANDARDS]
        for unit in [None, *units]:
            got = _seen(headline.headline(unit))
            assert got == {c: expected[(unit.path if unit else None, c)] for c in codes}, unit
        for parent in units[:3]:
            for child, figures in headline.children_headline(parent):
                assert _seen(figures) == {c: expected[(child.path, c)] for c in codes}, child
        for unit in units[:3]:
            for which, column in (("not_met", None), ("overdue", 2), ("due_soon", 3)):
                _rows, total = headline.cadres_not_meeting(unit, OVERALL, which, per_page=3)
                applicable, met, *_ = expected[(unit.path, "")]
                assert total == (applicable - met if column is None else expected[(unit.path, "")][column])

    _in_savepoint(body)


def test_headline_counts_cadres_not_pairs(app):
    """Two requirements of one standard unmet by one cadre: one cadre overdue, not two (issue 19)."""
    root = gen_unit(code="R0", level="Tổng Liên đoàn")
    unit = gen_unit(code="P1", level="LĐLĐ tỉnh", parent=root)
    m1 = gen_module("M1", "osh")
    gen_module("M2", "finance")
    reqs = standard([{"code": "A", "applies_to": {"employment": ["full_time"]}, "due_days": 30},
                     {"code": "B", "applies_to": {"employment": ["full_time"]}, "due_days": 30,
                      "satisfied_by": [{"any_modules": ["M2"]}]}], code="S", start="2025-01-01")
    late = gen_cadre(unit, employment="full_time", appointed_on=date(2025, 1, 1))
    half = gen_cadre(unit, employment="full_time", appointed_on=date(2025, 1, 1))
    gen_cadre(unit, employment="part_time")
    engine.recompute()
    record(half, date(2025, 3, 1), module=m1)
    overall, std = headline.headline(unit)
    assert (std.code, std.applicable, std.met, std.overdue) == ("S", 2, 0, 2)
    assert overall.applicable == 2 and overall.pct == 0.0
    rows, total = headline.cadres_not_meeting(unit, std.standard_id, "overdue")
    assert total == 2
    missing = {r["cadre"].id: [m["requirement"].code for m in r["missing"]] for r in rows}
    assert missing == {late.id: ["A", "B"], half.id: ["B"]}
    assert all(m["deadline"] == date(2025, 1, 31) for r in rows for m in r["missing"])
    assert reqs["A"].standard.code == "S"
