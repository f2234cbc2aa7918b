"""``lms report compliance|plan``, ``lms reminders send``, ``lms report digest``, ``lms certificates issue|revoke``."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.core.db import command_transaction, db
from lms.core.errors import UserError
from lms.org.models import Cadre, OrgUnit
from lms.reports import plans, services
from lms.reports.places import place_of

report = AppGroup("report", help="Báo cáo / reports: xuất Excel, CSV, PDF.")
reminders = AppGroup("reminders", help="Nhắc hạn đào tạo qua email / training reminders.")
certificates_group = AppGroup("certificates", help="Giấy chứng nhận / certificates.")

FORMATS = click.Choice(["xlsx", "csv", "pdf"])


def _unit(code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise click.ClickException(f"Không có đơn vị mã {code} / no unit with code {code}")
    return unit


def _write(tables, fmt: str, output: Path, *, title: str, unit: OrgUnit, as_of: date) -> None:
    """Write atomically: a temporary file beside ``output``, renamed when complete."""
    from lms.reports.exports import write_csv, write_xlsx
    from lms.reports.pdf import summary_pdf

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=output.parent, prefix=".lms-", suffix=output.suffix)
    os.close(handle)
    try:
        if fmt == "xlsx":
            write_xlsx(tables[0], temp)
        elif fmt == "csv":
            write_csv(tables[0], temp)
        else:
            Path(temp).write_bytes(summary_pdf(tables, title=title, unit_name=unit.name,
                                               parent_name=unit.parent.name if unit.parent else None, as_of=as_of,
                                               place=place_of(unit)))
        shutil.move(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    click.echo(str(output))


def _user_error(exc: UserError) -> click.ClickException:
    return click.ClickException(f"{exc.message_vi} / {exc.message_en}")


@report.command("compliance")
@click.option("--org", "org_code", required=True, help="Mã đơn vị / unit code.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="yyyy-mm-dd (default today)")
@click.option("--format", "fmt", type=FORMATS, default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def compliance_command(org_code: str, as_of, fmt: str, output: Path) -> None:
    """Compliance of a unit's subtree as of a date."""

    unit = _unit(org_code)
    day = as_of.date() if as_of else services.today()
    _write(services.compliance_tables(unit, day), fmt, output, unit=unit, as_of=day,
           title="Báo cáo kết quả thực hiện chuẩn đào tạo cán bộ công đoàn")


@report.command("plan")
@click.option("--org", "org_code", required=True, help="Mã đơn vị / unit code.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None, help="default: this year")
@click.option("--format", "fmt", type=FORMATS, default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def plan_command(org_code: str, year: int | None, fmt: str, output: Path) -> None:
    """A unit's training plan against the actuals of its subtree."""

    unit = _unit(org_code)
    year = year or services.today().year
    tables = plans.plan_tables(plans.plan_report(unit, year))
    _write(tables, fmt, output, unit=unit, as_of=min(services.today(), date(year, 12, 31)),
           title=f"Báo cáo kết quả thực hiện kế hoạch đào tạo năm {year}")


@report.command("cadres")
@click.option("--org", "org_code", required=True, help="Mã đơn vị / unit code.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def cadres_command(org_code: str, fmt: str, output: Path) -> None:
    """Every active cadre of a subtree with their compliance counts (streamed, constant memory)."""

    unit = _unit(org_code)
    _write([services.cadre_status_table(unit)], fmt, output, unit=unit, as_of=services.today(), title="")


@reminders.command("send")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="yyyy-mm-dd (default today)")
def send_command(as_of) -> None:
    """Email cadres due soon or overdue, and a digest to each manager (once a day per person)."""
    from lms.reports.reminders import send_all

    day = as_of.date() if as_of else services.today()
    with command_transaction():
        outcome = send_all(day, after_each=db.session.commit)
    click.echo(f"Đã gửi {outcome.sent}, bỏ qua (đã gửi hôm nay) {outcome.skipped}, "
               f"cán bộ không có email {outcome.no_email}, lỗi {len(outcome.failed)}.")
    for failure in outcome.failed:
        click.echo(f"LỖI / ERROR: {failure}", err=True)
    if outcome.failed:
        raise SystemExit(1)


@certificates_group.command("issue")
@click.option("--cadre", "cadre_code", default=None, help="Mã cán bộ; mặc định: mọi cán bộ / default: all cadres")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None)
def issue_command(cadre_code: str | None, as_of) -> None:
    """Issue the certificates due: every module completion and every requirement met (idempotent)."""
    from lms.reports import certificates

    day = as_of.date() if as_of else services.today()
    with command_transaction():
        if cadre_code:
            cadre = db.session.scalar(select(Cadre).where(Cadre.code == cadre_code))
            if cadre is None:
                raise click.ClickException(f"Không có cán bộ mã {cadre_code} / no cadre {cadre_code}")
            ids = [cadre.id]
        else:
            ids = list(db.session.scalars(select(Cadre.id).where(Cadre.active).order_by(Cadre.id)))
        issued = certificates.issue_due(ids, day)
    click.echo(f"Đã cấp {issued} giấy chứng nhận mới / {issued} new certificates.")


@certificates_group.command("revoke")
@click.argument("code")
@click.option("--reason", required=True)
def revoke_command(code: str, reason: str) -> None:
    """Revoke a certificate by its code, with a reason."""
    from lms.reports import certificates

    with command_transaction():
        certificate = certificates.find(code)
        if certificate is None:
            raise click.ClickException("Không tìm thấy giấy chứng nhận / certificate not found")
        try:
            certificates.revoke(certificate, reason=reason, by_user_id=None)
        except UserError as exc:
            raise _user_error(exc) from exc
    click.echo("Đã thu hồi / revoked.")


@click.command("digest")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="yyyy-mm-dd (default today)")
def digest_command(as_of) -> None:
    """Email each unit manager the headline of their subtree with a link to the dashboard (once a day)."""
    from lms.reports.digest import send_summaries

    day = as_of.date() if as_of else services.today()
    with command_transaction():
        outcome = send_summaries(day, after_each=db.session.commit)
    click.echo(f"Đã gửi {outcome.sent} thư tổng hợp, bỏ qua (đã gửi hôm nay) {outcome.skipped}, "
               f"lỗi {len(outcome.failed)}.")
    for failure in outcome.failed:
        click.echo(f"LỖI / ERROR: {failure}", err=True)
    if outcome.failed:
        raise SystemExit(1)


#: ``lms report digest``: the periodic digest to unit managers
report.add_command(digest_command)

commands = [report, reminders, certificates_group]
