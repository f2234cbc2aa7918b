"""Reports' background jobs: reminders and digests, certificates to issue or render, big exports."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.scope import in_subtree
from lms.core.db import db
from lms.core.jobs import Context, JobFailed, JobFile, enqueue, task
from lms.org.models import Cadre, OrgUnit

MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv; charset=utf-8"}


def _day(as_of: str | None) -> date:
    from lms.reports import services

    return date.fromisoformat(as_of) if as_of else services.today()


@task
def send_reminders(ctx: Context, as_of: str | None = None) -> str:
    """Reminders to cadres due soon or overdue and the managers' digests. Each mail is claimed and
    committed as it goes (a mail cannot be unsent): a retry sends only what is still unsent."""
    from lms.reports.reminders import send_all

    outcome = send_all(_day(as_of), after_each=db.session.commit)
    if outcome.failed:
        raise JobFailed(f"Gửi thư lỗi cho {len(outcome.failed)} người: {outcome.failed[0]}")
    return f"Đã gửi {outcome.sent}, bỏ qua {outcome.skipped}, không có email {outcome.no_email}."


@task
def send_digests(ctx: Context, as_of: str | None = None) -> str:
    """The periodic digest to unit managers (``lms report digest``); one a day per manager at most, so a
    retry sends only what is still unsent."""
    from lms.reports.digest import send_summaries

    outcome = send_summaries(_day(as_of), after_each=db.session.commit)
    if outcome.failed:
        raise JobFailed(f"Gửi thư tổng hợp lỗi cho {len(outcome.failed)} người: {outcome.failed[0]}")
    return f"Đã gửi {outcome.sent} thư tổng hợp, bỏ qua {outcome.skipped}."


@task
def issue_certificates(ctx: Context, cadre_ids: list[int], as_of: str | None = None) -> str:
    """Issue the certificates due to ``cadre_ids`` (idempotent: one per subject key)."""
    from lms.reports import certificates

    issued = certificates.issue_due(cadre_ids, _day(as_of))
    return f"Đã cấp {issued} giấy chứng nhận mới."


def after_import(batch_id: int, cadre_ids: list[int], user_id: int | None = None) -> None:
    """After a records import: its certificates are issued by a job once the import has committed."""
    if cadre_ids:
        enqueue(issue_certificates, cadre_ids=sorted(set(cadre_ids)), key=f"import:{batch_id}:certificates",
                title="Cấp giấy chứng nhận sau khi nhập hồ sơ", user_id=user_id)


@task
def render_certificate(ctx: Context, certificate_id: int) -> JobFile:
    """A certificate's PDF, rendered off the request and kept in the storage for download."""
    import tempfile

    from lms.reports.certificates import certificate_pdf
    from lms.reports.models import Certificate

    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise JobFailed("Không tìm thấy giấy chứng nhận.", retry=False)
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as out:
        out.write(certificate_pdf(certificate))
    return JobFile(Path(out.name), f"chung-nhan-{certificate.code}.pdf", "application/pdf")


# --- big exports ------------------------------------------------------------------------------------


def export_rows(report: str, unit: OrgUnit) -> int:
    """About how many rows an export of ``report`` for ``unit`` has (cadres of the subtree)."""
    return db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, Cadre.org_unit_id == OrgUnit.id)
                             .where(in_subtree(unit), Cadre.active)) or 0


def start_export(report: str, unit: OrgUnit, fmt: str, filename: str, user_id: int, **params: str):
    """Enqueue the export and return the response sending the user to its progress page."""
    from lms.core.exports import job_response

    job = enqueue(export_table, report=report, unit_id=unit.id, fmt=fmt, filename=filename, params=params,
                  title=f"Xuất {filename}.{fmt}", user_id=user_id)
    return job_response(job)


@task
def export_table(ctx: Context, report: str, unit_id: int, fmt: str, filename: str, params: dict) -> JobFile:
    """Write one report table to an xlsx or CSV file (constant memory) for download."""
    from lms.reports import services
    from lms.reports.exports import csv_tempfile, xlsx_tempfile

    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or fmt not in MIME:
        raise JobFailed("Đơn vị hoặc định dạng không còn hợp lệ.", retry=False)
    if report == "cadres":
        table = services.cadre_status_table(unit)
    elif report == "certificates":
        table = services.certificate_table(unit, q=params.get("q", ""), state=params.get("state", ""))
    else:
        raise JobFailed("Loại báo cáo không hợp lệ.", retry=False)
    table.rows = _counted(table.rows, export_rows(report, unit), ctx)
    path = xlsx_tempfile(table) if fmt == "xlsx" else csv_tempfile(table)
    return JobFile(Path(path), f"{filename}.{fmt}", MIME[fmt])


def _counted(rows, total: int, ctx: Context):
    for index, row in enumerate(rows, 1):
        if index % 1000 == 0:
            ctx.progress(95 * index / max(total, 1))
        yield row
