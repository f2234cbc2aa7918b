"""Compliance recomputes as background jobs (the engine does the work; these only call it)."""

from __future__ import annotations

from lms.core import rebuilds
from lms.core.db import db
from lms.core.jobs import Context, JobFailed, task

#: the :mod:`lms.core.rebuilds` name of the full recompute asked for by a change (an import, an edit)
RECOMPUTE = "standards-recompute"


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
    rebuilds.finished(RECOMPUTE)
    return f"Đã tính lại {rows} trạng thái."


def request_recompute() -> None:
    """A full recompute after this transaction commits, as a job: one queued however many changes ask
    (an org or record import, an edited standard); the pages say the figures are being recomputed."""
    rebuilds.request(RECOMPUTE, recompute_all, title="Tính lại trạng thái tuân thủ")


def recompute_status() -> rebuilds.Status:
    """Whether a requested full recompute is pending (or failed), and when the last one finished."""
    return rebuilds.status(RECOMPUTE)


@task
def recompute_cadres(ctx: Context, cadre_ids: list[int] | None = None, unit_id: int | None = None) -> str:
    """A partial recompute: some cadres' statuses, or every cadre's in a unit's subtree (after it moved)."""
    from lms.org.models import OrgUnit
    from lms.standards import engine

    if unit_id is not None:
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None:
            raise JobFailed("Đơn vị không còn tồn tại.", retry=False)
        engine.recompute_subtree(unit)
        return f"Đã tính lại cho đơn vị {unit.code}."
    ids = cadre_ids or []
    for index, cadre_id in enumerate(ids, 1):
        engine.recompute_cadre(cadre_id)
        if index % 100 == 0:
            ctx.progress(95 * index / len(ids))
    return f"Đã tính lại cho {len(ids)} cán bộ."


@task
def take_snapshots(ctx: Context, day: str | None = None) -> str:
    """The last month end's snapshot for "as of" reads, when missing or stale (daily on the scheduler;
    a no-op once taken), or the snapshot of ``day`` (yyyy-mm-dd, taken again if there)."""
    from datetime import date

    from lms.standards import engine, snapshots

    if day:
        snap = snapshots.take(date.fromisoformat(day))
    else:
        snap = snapshots.ensure_period_ends(engine.today_vn())
        if snap is None:
            return "Ảnh chụp số liệu cuối kỳ đã có sẵn."
    return f"Đã chụp số liệu tuân thủ ngày {snap.day:%d/%m/%Y}: {snap.rows} trạng thái."
