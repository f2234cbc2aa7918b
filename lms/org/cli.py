"""``lms org import FILE [--dry-run] [--deactivate-missing]`` and ``lms org template OUT``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from lms.core.db import command_transaction

org = AppGroup("org", help="Đơn vị và cán bộ: nhập từ Excel/CSV. Org units and cadres: import.")

#: report entries printed per list (the counts are always complete)
SHOWN = 20


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra và báo cáo, không ghi. Check and report only.")
@click.option("--deactivate-missing", is_flag=True,
              help="Ngừng hoạt động cán bộ của các đơn vị trong tệp mà không có trong tệp.")
def import_command(file: str, dry_run: bool, deactivate_missing: bool) -> None:
    """Import org units and cadres from FILE (.xlsx or UTF-8 .csv); exit 2 with every bad row listed."""
    from lms.org.importer import ImportRejected, import_file

    try:
        with command_transaction():
            report = import_file(file, Path(file).name, dry_run=dry_run, deactivate_missing=deactivate_missing,
                                 max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"])
    except ImportRejected as exc:
        click.echo(f"LỖI: {exc.message_vi}", err=True)
        click.echo(f"ERROR: {exc.message_en}", err=True)
        for d in exc.details:
            where = f"{d['sheet']} dòng {d['row']}" + (f", cột “{d['column']}”" if d["column"] else "")
            click.echo(f"  {where}: {d['message_vi']}", err=True)
        sys.exit(2)
    _print_report(report, dry_run)


def _print_report(report, dry_run: bool) -> None:
    counts = report.counts()
    click.echo("CHẠY THỬ — không ghi gì. DRY RUN — nothing written." if dry_run else "Đã nhập. Imported.")
    click.echo(f"Đơn vị / units: tạo mới {counts['units_created']}, cập nhật {counts['units_updated']}, "
               f"không đổi {counts['units_unchanged']}")
    click.echo(f"Cán bộ / cadres: tạo mới {counts['cadres_created']}, cập nhật {counts['cadres_updated']}, "
               f"ngừng hoạt động {counts['cadres_deactivated']}, không đổi {counts['cadres_unchanged']}")
    if report.accounts:
        click.echo("Tài khoản / accounts: tạo mới {created}, liên kết {linked}, đã có {existing}".format(**report.accounts))
    for title, items in (("Đơn vị tạo mới", report.units_created), ("Đơn vị cập nhật", report.units_updated),
                         ("Cán bộ tạo mới", report.cadres_created), ("Cán bộ cập nhật", report.cadres_updated),
                         ("Cán bộ ngừng hoạt động", report.cadres_deactivated)):
        if items:
            click.echo(f"{title}:")
            for item in items[:SHOWN]:
                extra = f" ({', '.join(item[2])})" if len(item) > 2 and isinstance(item[2], list) else ""
                click.echo(f"  {item[0]} {item[1]}{extra}")
            if len(items) > SHOWN:
                click.echo(f"  … và {len(items) - SHOWN} mục khác / and {len(items) - SHOWN} more")


@org.command("template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def template_command(out: str) -> None:
    """Write the import template workbook to OUT."""
    from lms.org.importer.template import template_xlsx

    Path(out).write_bytes(template_xlsx())
    click.echo(out)


commands = [org]
