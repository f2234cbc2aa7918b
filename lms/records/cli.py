"""``lms records import FILE [--dry-run]``: load historical training records."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core.db import command_transaction
from lms.core.errors import UserError

records = AppGroup("records", help="Training records: historical import.")


@records.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import records from FILE (.xlsx or UTF-8 .csv). Exit 1 with per-row errors; nothing written then."""
    from lms.records.importer import import_records

    limit = current_app.config["LMS_IMPORT_MAX_BYTES"]
    with open(file, "rb") as fh:
        data = fh.read(limit + 1)
    try:
        with command_transaction():
            report = import_records(data, file.name, dry_run=dry_run, max_bytes=limit)
    except UserError as exc:
        click.echo(f"LỖI: {exc.message_vi} / {exc.message_en}", err=True)
        for detail in exc.details:
            click.echo(f"  dòng {detail['row']}, cột “{detail['column']}”: {detail['message_vi']} / "
                       f"{detail['message_en']}", err=True)
        sys.exit(1)
    for row, vi, en in report.skipped:
        click.echo(f"bỏ qua dòng {row}: {vi} / {en}")
    verb = "sẽ nhập (chạy thử, chưa ghi)" if dry_run else "đã nhập"
    click.echo(f"{report.rows_total} dòng: {verb} {len(report.to_add)}, bỏ qua {len(report.skipped)}.")


commands = [records]
