"""Properties over random small ledgers and populations:

* the set-based SQL recompute equals the per-cadre Python evaluation (:mod:`lms.standards.rules`);
* the incremental update after each record equals a full recompute;
* the applicability rule compiled to SQL agrees with the Python predicate.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from lms.core.db import db
from lms.org.models import Cadre, OrgUnit
from lms.records.models import TrainingRecord
from lms.records.services import append_record
from lms.standards import criteria, engine, rules
from lms.standards.models import ComplianceStatus
from tests.factories import gen_cadre, gen_unit
from tests.lms.standards.helpers import gen_module, standard

TODAY = date(2026, 3, 1)
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

REQUIREMENTS = [
    {"code": "ANY", "applies_to": {"employment": ["full_time"]}, "due_days": 200, "validity_months": 12,
     "renewal_days": 45, "min_score": 60},
    {"code": "ALL", "applies_to": {"is_key": True}, "satisfied_by": [{"all_modules": ["M1", "M2"]}],
     "due_date": "2025-09-30", "validity_months": 24},
    {"code": "HRS", "applies_to": {"positions": ["osh_officer", "chair"], "levels": ["CĐCS"]},
     "satisfied_by": [{"any_modules": ["M2"]}, {"hours": 8, "topic": "osh", "period_months": 6}],
     "validity_months": 6, "renewal_days": 20},
    {"code": "ORG", "applies_to": {"org_units": ["P1"], "gender": ["female"]},
     "satisfied_by": [{"hours": 6, "topic": "finance", "period_months": 12}], "due_days": 30},
]

cadre_st = st.fixed_dictionaries({
    "unit": st.integers(0, 2), "employment": st.sampled_from(["full_time", "part_time"]),
    "position": st.sampled_from(["chair", "osh_officer", "executive_member"]), "is_key": st.booleans(),
    "gender": st.sampled_from(["male", "female"]), "active": st.booleans(),
    "appointed": st.one_of(st.none(), st.integers(0, 700)),
})
record_st = st.fixed_dictionaries({
    "cadre": st.integers(0, 4), "day": st.integers(0, 420), "what": st.sampled_from(["M1", "M2", "osh", "finance"]),
    "hours": st.sampled_from([1, 2, 4, 6]), "score": st.one_of(st.none(), st.integers(40, 100)),
    "amend": st.sampled_from(["none", "none", "none", "correct", "revoke", "waive"]),
})


def _world():
    root = gen_unit(code="R0", level="Tổng Liên đoàn")
    p1 = gen_unit(code="P1", level="LĐLĐ tỉnh", parent=root)
    units = [gen_unit(code="C1", level="CĐCS", parent=p1), gen_unit(code="C2", level="CĐCS", parent=root), p1]
    mods = {"M1": gen_module("M1", "osh"), "M2": gen_module("M2", "finance")}
    reqs = standard(REQUIREMENTS, start="2025-01-01")
    return units, mods, reqs


def _cadres(units, specs):
    out = []
    for s in specs:
        appointed = None if s["appointed"] is None else date(2024, 6, 1) + timedelta(days=s["appointed"])
        out.append(gen_cadre(units[s["unit"]], employment=s["employment"], position=s["position"], is_key=s["is_key"],
                             gender=s["gender"], active=s["active"], appointed_on=appointed))
    return out


def _append(cadres, mods, reqs, spec, previous):
    cadre = cadres[spec["cadre"] % len(cadres)]
    day = date(2025, 1, 1) + timedelta(days=spec["day"])
    module = mods.get(spec["what"])
    topic = module.topic if module else spec["what"]
    if spec["amend"] == "waive":
        return append_record(cadre.id, source="waiver", completed_on=day, topic=topic,
                             requirement_id=reqs["ANY"].id if spec["day"] % 2 else None,
                             module_id=module.id if module else None)
    mine = [r for r in previous if r.cadre_id == cadre.id and r.kind == "record"]
    if spec["amend"] in ("correct", "revoke") and mine:
        target = mine[spec["day"] % len(mine)]
        kind = "correction" if spec["amend"] == "correct" else "revocation"
        return append_record(cadre.id, source=target.source, completed_on=day, topic=topic, hours=spec["hours"],
                             module_id=module.id if module else None, score=spec["score"], kind=kind,
                             amends_id=target.id)
    return append_record(cadre.id, source="online" if module else "in_person", completed_on=day, topic=topic,
                         hours=spec["hours"], module_id=module.id if module else None, score=spec["score"])


def _stored() -> set[tuple]:
    db.session.expire_all()
    return {(s.cadre_id, s.requirement_id, s.state, s.due_on, s.satisfied_on, s.valid_until, s.waived_on,
             tuple(s.record_id_list())) for s in db.session.scalars(select(ComplianceStatus))}


def _python(cadres, reqs) -> set[tuple]:
    rows = db.session.scalars(select(TrainingRecord)).all()
    out = set()
    for req in reqs.values():
        plan = engine.make_plan(req)
        for cadre in cadres:
            unit = db.session.get(OrgUnit, cadre.org_unit_id)
            facts = criteria.CadreFacts(cadre.employment, cadre.position, cadre.is_key, cadre.gender, unit.path,
                                        unit.level, cadre.active)
            if not criteria.matches(req.applies_to, facts):
                continue
            recs = rules.effective_records([r for r in rows if r.cadre_id == cadre.id], day=TODAY)
            o = rules.evaluate(plan, cadre.appointed_on, recs, TODAY)
            out.add((cadre.id, req.id, o.state, o.due_on, o.satisfied_on, o.valid_until, o.waived_on,
                     tuple(o.record_ids)))
    return out


def _in_savepoint(body):
    nested = db.session.begin_nested()
    try:
        body()
    finally:
        nested.rollback()
        db.session.expire_all()


@SETTINGS
@given(specs=st.lists(cadre_st, min_size=1, max_size=5), ledger=st.lists(record_st, max_size=14))
def test_set_based_sql_equals_python_evaluation(app, specs, ledger):
    def body():
        units, mods, reqs = _world()
        cadres = _cadres(units, specs)
        previous = []
        for spec in ledger:
            previous.append(_append(cadres, mods, reqs, spec, previous))
        engine.recompute(TODAY)
        assert _stored() == _python(cadres, reqs)

    _in_savepoint(body)


@SETTINGS
@given(specs=st.lists(cadre_st, min_size=1, max_size=4), ledger=st.lists(record_st, max_size=12))
def test_incremental_update_equals_full_recompute(app, specs, ledger):
    def body():
        units, mods, reqs = _world()
        cadres = _cadres(units, specs)
        engine.recompute()
        previous = []
        for spec in ledger:
            previous.append(_append(cadres, mods, reqs, spec, previous))
        incremental = _stored()
        engine.recompute()
        assert incremental == _stored()

    _in_savepoint(body)


@SETTINGS
@given(specs=st.lists(cadre_st, min_size=1, max_size=6),
       rule=st.fixed_dictionaries({}, optional={
           "employment": st.lists(st.sampled_from(["full_time", "part_time"]), min_size=1, unique=True),
           "positions": st.lists(st.sampled_from(["chair", "osh_officer", "group_leader"]), min_size=1, unique=True),
           "is_key": st.booleans(), "gender": st.lists(st.sampled_from(["male", "female"]), min_size=1, unique=True),
           "org_units": st.lists(st.sampled_from(["P1", "C2", "NOPE"]), min_size=1, unique=True),
           "levels": st.lists(st.sampled_from(["CĐCS", "LĐLĐ tỉnh"]), min_size=1, unique=True)}))
def test_rule_sql_and_python_predicate_agree(app, specs, rule):
    def body():
        units, _, _ = _world()
        cadres = _cadres(units, specs)
        rule_n = criteria.validate(rule)
        where, params = criteria.compile_sql(rule_n, "t")
        sql_ids = set(db.session.scalars(text(
            f"SELECT c.id FROM cadres c JOIN org_units u ON u.id = c.org_unit_id WHERE {where}"), params))
        py_ids = set()
        for c in db.session.scalars(select(Cadre).where(Cadre.id.in_([c.id for c in cadres]))):
            u = db.session.get(OrgUnit, c.org_unit_id)
            if criteria.matches(rule_n, criteria.CadreFacts(c.employment, c.position, c.is_key, c.gender, u.path,
                                                            u.level, c.active)):
                py_ids.add(c.id)
        assert sql_ids == py_ids

    _in_savepoint(body)


def _counts_table() -> set[tuple]:
    rows = db.session.execute(text(
        "SELECT org_unit_id, requirement_id, state, org_path, n, renewing FROM compliance_unit_counts WHERE n <> 0"))
    return {tuple(r) for r in rows}


def _counts_grouped() -> set[tuple]:
    rows = db.session.execute(text(
        "SELECT s.org_unit_id, s.requirement_id, s.state, u.path, COUNT(*),"
        " SUM(CASE WHEN s.state = 'due_soon' AND s.satisfied_on IS NOT NULL THEN 1 ELSE 0 END)"
        " FROM compliance_statuses s JOIN org_units u ON u.id = s.org_unit_id"
        " GROUP BY s.org_unit_id, s.requirement_id, s.state, u.path"))
    return {tuple(r) for r in rows}


step_st = st.one_of(
    st.tuples(st.just("append"), record_st),
    st.tuples(st.just("move_cadre"), st.fixed_dictionaries({"cadre": st.integers(0, 4), "unit": st.integers(0, 2)})),
    st.tuples(st.just("change_cadre"), st.fixed_dictionaries({
        "cadre": st.integers(0, 4), "position": st.sampled_from(["chair", "osh_officer"]), "active": st.booleans()})),
    st.tuples(st.just("move_unit"), st.just({})),
    st.tuples(st.just("recompute"), st.just({})),
    st.tuples(st.just("commit_hooks"), st.just({})),
)


@SETTINGS
@given(specs=st.lists(cadre_st, min_size=1, max_size=5), steps=st.lists(step_st, max_size=12))
def test_unit_counts_equal_group_by_over_statuses(app, specs, steps):
    """After any sequence of appends, moved or changed cadres, a moved unit and recomputes, the per-unit
    counts equal a GROUP BY over the statuses, and the dashboards read from them equal the statuses."""
    from lms.standards import hooks, services

    def body():
        units, mods, reqs = _world()
        cadres = _cadres(units, specs)
        engine.recompute()
        previous = []
        for kind, spec in steps:
            if kind == "append":
                previous.append(_append(cadres, mods, reqs, spec, previous))
            elif kind == "move_cadre":
                cadres[spec["cadre"] % len(cadres)].org_unit_id = units[spec["unit"]].id
            elif kind == "change_cadre":
                cadre = cadres[spec["cadre"] % len(cadres)]
                cadre.position, cadre.active = spec["position"], spec["active"]
            elif kind == "move_unit":  # C2 moves under P1 (or back under the root)
                c2, p1 = units[1], units[2]
                root = db.session.get(OrgUnit, p1.parent_id)
                parent = root if c2.parent_id == p1.id else p1
                c2.parent_id, c2.path = parent.id, f"{parent.path}{c2.id}/"
            elif kind == "recompute":
                engine.recompute()
            else:  # what a commit does: the before-commit hook recomputes changed cadres / the tree
                hooks._before_commit(db.session)
        hooks._before_commit(db.session)
        assert _counts_table() == _counts_grouped()
        statuses = db.session.execute(text("SELECT requirement_id, state, org_path FROM compliance_statuses")).all()

        def expected(path):
            out = {}
            for rid, state, org_path in statuses:
                if path is None or org_path.startswith(path):
                    out[(rid, state)] = out.get((rid, state), 0) + 1
            return out

        def seen(rows):
            return {(r["requirement_id"], s): r[s] for r in rows for s in services.STATES if r[s]}

        db.session.expire_all()
        for unit in [None, *units]:
            assert seen(services.unit_summary(unit)) == expected(unit.path if unit else None)
        for child in services.children_summary(db.session.get(OrgUnit, units[2].parent_id)):
            assert seen(child["requirements"]) == expected(child["unit"].path)
        incremental = _counts_table()
        engine.recompute()
        assert incremental == _counts_table()

    _in_savepoint(body)
