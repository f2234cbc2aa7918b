"""``lms standards load FILE`` and ``lms standards recompute``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import AppGroup

from lms.core.db import command_transaction
from lms.core.errors import UserError

standards = AppGroup("standards", help="Training standards and the compliance engine.")
DEFAULTS = Path(__file__).parent / "defaults"


@standards.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--defaults", is_flag=True, help="Load the shipped example standards.")
def load_command(files: tuple[str, ...], defaults: bool) -> None:
    """Load standards from TOML/YAML files (all or nothing), then recompute the statuses."""
    from lms.standards import engine, reach, services

    paths = [Path(f) for f in files] + (sorted(DEFAULTS.iterdir()) if defaults else [])
    if not paths:
        raise click.UsageError("Give a FILE or --defaults.")
    try:
        with command_transaction():
            for path in paths:
                for std, added in services.load_file(path, recompute=False):
                    click.echo(f"{path.name}: {std.code} — {added} requirement version(s) added/changed")
                    found = reach.reach(std)
                    if found.nobody:
                        vi, en = reach.warning(std, found)
                        click.echo(f"CẢNH BÁO / WARNING: {vi} / {en}", err=True)
            rows = engine.recompute()
    except UserError as exc:
        click.echo(f"LỖI: {exc.message_vi} / {exc.message_en}", err=True)
        sys.exit(2)
    click.echo(f"{rows} statuses computed.")


@standards.command("recompute")
def recompute_command() -> None:
    """Recompute every status for today (run daily: states move with the calendar)."""
    from lms.standards import engine

    start = time.perf_counter()
    with command_transaction():
        rows = engine.recompute(progress=lambda r: click.echo(f"· {r.code} v{r.version}"))
    click.echo(f"{rows} statuses in {time.perf_counter() - start:.1f} s.")



@standards.command("snapshot")
@click.option("--day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="yyyy-mm-dd (default: the last month end, when missing or stale)")
def snapshot_command(day) -> None:
    """Take the compliance snapshot as of a past day (fast "as of" reports; the scheduler does month ends)."""
    from lms.standards import engine, snapshots

    start = time.perf_counter()
    try:
        with command_transaction():
            snap = snapshots.take(day.date()) if day else snapshots.ensure_period_ends(engine.today_vn())
    except UserError as exc:
        click.echo(f"LỖI: {exc.message_vi} / {exc.message_en}", err=True)
        sys.exit(2)
    if snap is None:
        click.echo("Ảnh chụp cuối kỳ đã có sẵn. / The period-end snapshot is already there.")
        return
    click.echo(f"{snap.day}: {snap.rows} statuses in {time.perf_counter() - start:.1f} s.")


commands = [standards]
