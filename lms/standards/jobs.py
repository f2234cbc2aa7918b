"""Compliance recomputes as background jobs (the engine does the work; these only call it)."""

from __future__ import annotations

from lms.core.db import db
from lms.core.jobs import Context, task


@task
def recompute_all(ctx: Context) -> str:
    """Every status and count for today (daily on the scheduler, and after a standard changes)."""
    from lms.standards import engine

    total = max(1, len(engine.requirements_in_force(engine.today_vn())))
    done = [0]

    def step(_req) -> None:
        done[0] += 1
        ctx.progress(95 * done[0] / total)

    rows = engine.recompute(progress=step)
    return f"Đã tính lại {rows} trạng thái."


@task
def recompute_cadres(ctx: Context, cadre_ids: list[int]) -> str:
    """The statuses of some cadres (a partial recompute, e.g. after an import)."""
    from lms.records.services import recompute_after_bulk

    recompute_after_bulk(cadre_ids)
    db.session.flush()
    return f"Đã tính lại cho {len(cadre_ids)} cán bộ."
