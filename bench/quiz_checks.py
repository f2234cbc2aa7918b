"""What bench_quiz.py checks once the queue has drained: every submission graded with exactly the points
of the answers seeded, one training record per pass, compliance statuses for every passing cadre a
requirement applies to, a module certificate per passing cadre; and how long the last attempt of the
burst waited for its grade."""

from __future__ import annotations

import time

from sqlalchemy import text


def wait_graded(app, timeout: float = 1800) -> float:
    """Wait until no attempt is left ``received`` (the grading jobs have run); the seconds it took."""
    from lms.core.db import db

    started, end = time.perf_counter(), time.monotonic() + timeout
    with app.app_context():
        try:
            while db.session.execute(text("SELECT count(*) FROM quiz_attempts WHERE status = 'received'")).scalar():
                db.session.rollback()
                if time.monotonic() > end:
                    raise SystemExit("grading: attempts still received after the timeout")
                time.sleep(0.05)
            return time.perf_counter() - started
        finally:
            db.session.remove()


def check(app, expected: dict[int, int], *, total: int, one_by_one: list, result, standards: bool,
          failed_jobs: int) -> bool:
    """Print the checks' figures; True when all hold."""
    with app.app_context():
        from lms.core.db import db

        q = db.session.execute
        graded = q(text("SELECT count(*) FROM quiz_attempts WHERE status = 'submitted' AND score IS NOT NULL")).scalar()
        credited = q(text("SELECT count(*) FROM quiz_attempt_items WHERE credit IS NOT NULL")).scalar()
        items = q(text("SELECT count(*) FROM quiz_attempt_items")).scalar()
        passed = q(text("SELECT count(*) FROM quiz_attempts WHERE passed")).scalar()
        records = q(text("SELECT count(*) FROM training_records WHERE source = 'assessment'")).scalar()
        points = dict(q(text("SELECT id, points FROM quiz_attempts")).all())
        # a pass recomputes its cadre's statuses: full-time and key cadres have requirements on union law
        tracked = q(text("SELECT count(DISTINCT s.cadre_id) FROM compliance_statuses s JOIN quiz_attempts a"
                         " ON a.cadre_id = s.cadre_id AND a.passed")).scalar()
        should = q(text("SELECT count(*) FROM quiz_attempts a JOIN cadres c ON c.id = a.cadre_id WHERE a.passed"
                        " AND (c.employment = 'full_time' OR c.is_key)")).scalar()
        # a module certificate per passing cadre (the bench's module is completed by its quiz alone)
        certified = q(text("SELECT count(DISTINCT c.cadre_id) FROM certificates c JOIN quiz_attempts a"
                           " ON a.cadre_id = c.cadre_id AND a.passed WHERE c.kind = 'module'")).scalar()
        some = next(iter(expected))
        plans = {  # the submission's per-attempt read (services.read_for_closing): it must use indexes
            "attempt + items + versions": "SELECT a.status, i.position, v.key FROM quiz_attempts a JOIN quizzes q"
            " ON q.id = a.quiz_id JOIN modules m ON m.id = q.module_id JOIN quiz_attempt_items i ON"
            " i.attempt_id = a.id JOIN question_versions v ON v.id = i.question_version_id WHERE a.id = :a"
            " ORDER BY i.position FOR UPDATE OF a",
        }
        for name, sql in plans.items():
            plan = [r[0] for r in q(text(f"EXPLAIN {sql}"), {"a": some})]
            print(f"EXPLAIN {name}: " + " | ".join(p.strip() for p in plan))
        db.session.remove()
        db.engine.dispose()
    print(f"graded attempts {graded}/{total}; credited items {credited}/{items}; passes {passed}, "
          f"training records {records}")
    wrong = sum(1 for aid, right in expected.items() if points.get(aid) != right)
    print(f"attempts whose points differ from the answers seeded: {wrong}")
    if standards:
        print(f"compliance statuses updated for {tracked} of the {should} passing full-time or key cadres")
    print(f"module certificates for {certified} of the {passed} passing cadres")
    statuses_ok = all(r[1] == 302 for r in one_by_one) and not result.errors
    ok = (statuses_ok and graded == total and credited == items == total * 20 and records == passed
          and wrong == 0 and (not standards or tracked == should) and certified == passed and not failed_jobs)
    return ok
