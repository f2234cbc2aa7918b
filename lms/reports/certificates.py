"""Certificates (giấy chứng nhận): issue, revoke, verify, and the PDF with its QR code.

A certificate is issued per completed module (automatically, when the ledger records the completion — for a
learner's request by the ledger's per-cadre job after the commit, :mod:`lms.records.deferred`; one
per cadre and module: the module's completion rule decides when it is met, a quiz that is part of the rule
records no completion of its own, and a retake or a second pass issues no second certificate while the
first is valid) and per standard requirement met (``lms certificates issue``). Its code has 120 random bits so it
cannot be guessed; ``/verify/<code>`` tells anyone whether it is valid, and nothing else.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import segno
from flask import current_app, has_request_context, url_for
from sqlalchemy import delete, func, select

from lms.core.clock import today_vn
from lms.core.db import db, insert_once, utcnow
from lms.core.errors import UserError
from lms.org.models import Cadre, OrgUnit
from lms.reports.models import Certificate, CertificateKind, VerifyLookup

#: 15 random bytes = 120 bits = 24 base32 characters
CODE_BYTES = 15
#: lookups allowed per address in the window before /verify answers 429
VERIFY_LIMIT = 30
VERIFY_WINDOW = timedelta(minutes=10)
#: characters people misread, mapped back into the base32 alphabet
_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def new_code() -> str:
    """A fresh verification code: 24 characters of A–Z and 2–7."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalize_code(raw: str) -> str:
    """A typed or scanned code in stored form: upper case, no dashes or spaces, look-alikes fixed."""
    cleaned = "".join(ch for ch in raw.upper() if ch.isalnum())
    return cleaned.translate(_LOOKALIKES)[:64]


def _issue(cadre_id: int, holder_name: str, unit_name: str, *, kind: CertificateKind, subject_key: str, title: str,
           hours: Decimal | float, completed_on: date, expires_on: date | None = None, module_id: int | None = None,
           requirement_id: int | None = None, record_id: int | None = None) -> Certificate:
    """Create the certificate of ``subject_key`` once; issuing it again returns the existing one (one
    ``INSERT … ON CONFLICT DO NOTHING``, then a read only when it existed)."""
    certificate = insert_once(Certificate, "subject_key", {
        "code": new_code(), "cadre_id": cadre_id, "kind": kind.value, "subject_key": subject_key, "title": title,
        "holder_name": holder_name, "unit_name": unit_name or "", "hours": Decimal(str(hours)),
        "completed_on": completed_on, "issued_on": today_vn(), "expires_on": expires_on, "module_id": module_id,
        "requirement_id": requirement_id, "record_id": record_id,
    })
    if certificate is None:
        return db.session.scalars(select(Certificate).where(Certificate.subject_key == subject_key)).one()
    return certificate


def issue_for_record(record) -> Certificate | None:
    """The certificate of a module completion recorded in the ledger (None for other records).

    Waivers and imported history get none: a certificate attests training done through this system
    (online, assessment, in-person class, Open edX). This also keeps bulk imports fast. The module,
    the holder, their unit and a certificate already held are read in one query (a quiz pass issues one on
    the submission's path).
    """
    from lms.catalog.models import Module
    from lms.records.models import Kind, Source

    if (record.module_id is None or record.kind != Kind.record.value
            or record.source in (Source.waiver.value, Source.imported.value)
            or (record.source == Source.assessment.value and not record.hours)):  # a quiz score, not a completion
        return None
    found = db.session.execute(
        select(Module.title_vi, Module.hours, Cadre.full_name, OrgUnit.name,
               _held(record.cadre_id, record.module_id, record.id).scalar_subquery())
        .select_from(Cadre).join(Module, Module.id == record.module_id)
        .outerjoin(OrgUnit, OrgUnit.id == Cadre.org_unit_id).where(Cadre.id == record.cadre_id)
    ).first()
    if found is None:
        return None
    title, module_hours, holder_name, unit_name, held_id = found
    if held_id is not None:  # one certificate per achievement: a retake or a second quiz pass adds none
        return db.session.get(Certificate, held_id)
    return _issue(record.cadre_id, holder_name, unit_name, kind=CertificateKind.module,
                  subject_key=f"module:{record.id}", title=title, hours=record.hours or module_hours,
                  completed_on=record.completed_on, module_id=record.module_id, record_id=record.id)


def _held(cadre_id: int, module_id: int, record_id: int):
    """SELECT of the id of the cadre's valid (not revoked) certificate of the module issued for another
    ledger row (read with the module and the holder: one statement per completion)."""
    return select(Certificate.id).where(
        Certificate.cadre_id == cadre_id, Certificate.module_id == module_id, Certificate.kind == CertificateKind.module.value,
        Certificate.revoked_at.is_(None), Certificate.record_id != record_id).order_by(Certificate.id).limit(1)


def issue_for_requirement(cadre: Cadre, *, requirement_id: int, title: str, hours: Decimal | float,
                          met_on: date, valid_until: date | None) -> Certificate:
    """The certificate of a standard requirement met by ``cadre`` (one per requirement and validity period)."""
    key = f"standard:{requirement_id}:{cadre.id}:{met_on.isoformat()}"
    return _issue(cadre.id, cadre.full_name, cadre.org_unit.name if cadre.org_unit else "",
                  kind=CertificateKind.standard, subject_key=key, title=title, hours=hours,
                  completed_on=met_on, expires_on=valid_until, requirement_id=requirement_id)


def revoke(certificate: Certificate, *, reason: str, by_user_id: int | None) -> Certificate:
    """Revoke with a reason (required). Revoking twice is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise UserError("Hãy nhập lý do thu hồi.", "Give a reason for the revocation.", 422, "reason_required")
    if certificate.revoked_at is not None:
        raise UserError("Giấy chứng nhận này đã bị thu hồi.", "This certificate is already revoked.", 409,
                        "already_revoked")
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = by_user_id
    certificate.revoke_reason = reason[:2000]
    db.session.flush()
    return certificate


def _revoke_for_amendment(record) -> None:
    """A revoked ledger row takes its module certificate with it."""
    from lms.records.models import Kind

    if record.kind != Kind.revocation.value or record.amends_id is None:
        return
    for certificate in db.session.scalars(select(Certificate).where(Certificate.record_id == record.amends_id,
                                                                    Certificate.revoked_at.is_(None))):
        revoke(certificate, reason=record.reason or "Hồ sơ đào tạo bị thu hồi", by_user_id=record.created_by_id)


def on_record(record) -> None:
    """Ledger listener: issue module certificates (after the commit for a learner's request: the ledger's
    per-cadre job, :func:`issue_for_cadre`), revoke those whose record is revoked."""
    from lms.records import deferred

    if deferred.applies(record):
        deferred.schedule(record.cadre_id)
    else:
        issue_for_record(record)
    _revoke_for_amendment(record)


def issue_for_cadre(cadre_id: int) -> None:
    """The ledger's per-cadre job: every module certificate due to the cadre (set-based, idempotent)."""
    from lms.reports.certificates_due import issue_modules

    issue_modules([cadre_id])


def install_listener() -> None:
    """Register :func:`on_record` with the ledger and :func:`issue_for_cadre` with its per-cadre job (idempotent)."""
    from lms.records import deferred
    from lms.records.services import on_record_appended

    on_record_appended(on_record, wants=_acts_on)
    deferred.on_settle(issue_for_cadre)
    deferred.install()


def _acts_on(row) -> bool:
    """Whether :func:`on_record` has anything to do with a row (from its column values)."""
    from lms.records.models import Kind, Source

    if row.get("kind") == Kind.revocation.value:
        return True
    return row.get("module_id") is not None and row.get("source") not in (Source.waiver.value, Source.imported.value)


def find(code: str) -> Certificate | None:
    """The certificate with ``code`` (as typed or scanned), if any."""
    normalized = normalize_code(code)
    if len(normalized) != 24:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == normalized))


def rate_limited(ip: str, now: datetime | None = None) -> bool:
    """Record a lookup from ``ip``; True when it is over :data:`VERIFY_LIMIT` in the window."""
    now = now or datetime.now(UTC)
    since = now - VERIFY_WINDOW
    db.session.execute(delete(VerifyLookup).where(VerifyLookup.at < now - 2 * VERIFY_WINDOW))
    recent = db.session.scalar(select(func.count(VerifyLookup.id)).where(VerifyLookup.ip == ip,
                                                                         VerifyLookup.at >= since))
    db.session.add(VerifyLookup(ip=ip[:64], at=now))
    db.session.flush()
    return (recent or 0) >= VERIFY_LIMIT


def verify_url(code: str) -> str:
    """The absolute address of the public verification page of ``code``."""
    if has_request_context():
        return url_for("reports_public.verify", code=code, _external=True)
    base = (current_app.config["LMS_BASE_URL"]).rstrip("/")
    return f"{base}/verify/{code}"


def issuer_name(cadre: Cadre) -> str:
    """The cadre's provincial federation (or central sector union), which issues the certificate."""
    from lms.reports.places import province_of

    return province_of(cadre.org_unit).name if cadre.org_unit else "Công đoàn Việt Nam"


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF with the verification code and its QR code."""
    from lms.reports.pdf import FONT, _document, place_date_line
    from lms.reports.places import CAPITAL, place_of

    pdf = _document("L")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_title(f"Giấy chứng nhận {certificate.grouped_code}")
    pdf.set_draw_color(0, 114, 178)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_font(FONT, "B", 12)
    pdf.set_y(18)
    pdf.cell(0, 7, issuer_name(certificate.cadre).upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT, "B", 26)
    pdf.set_text_color(0, 84, 140)
    pdf.cell(0, 14, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, 8, "Chứng nhận", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 12, certificate.holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.multi_cell(0, 7, f"Đơn vị: {certificate.unit_name}", align="C", new_x="LMARGIN", new_y="NEXT")
    verb = "Đã hoàn thành học phần" if certificate.kind == CertificateKind.module.value else "Đã đạt yêu cầu"
    pdf.cell(0, 8, verb, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 15)
    pdf.multi_cell(0, 8, certificate.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 11)
    hours = format(certificate.hours.normalize(), "f").replace(".", ",")
    pdf.cell(0, 7, f"Số giờ học: {hours}   ·   Ngày hoàn thành: {certificate.completed_on:%d/%m/%Y}",
             align="C", new_x="LMARGIN", new_y="NEXT")
    expiry = certificate.expires_on.strftime("%d/%m/%Y") if certificate.expires_on else "không thời hạn"
    pdf.cell(0, 7, f"Có giá trị đến: {expiry}", align="C", new_x="LMARGIN", new_y="NEXT")
    _qr_block(pdf, certificate)
    pdf.set_xy(pdf.w - 120, pdf.h - 52)
    pdf.set_font(FONT, "", 11)
    place = place_of(certificate.cadre.org_unit) if certificate.cadre else CAPITAL
    pdf.cell(100, 6, place_date_line(place, certificate.issued_on), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(100, 6, "THỦ TRƯỞNG ĐƠN VỊ", align="C")
    return bytes(pdf.output())


def _qr_block(pdf, certificate: Certificate) -> None:
    """The QR code (drawn as vector squares) and the grouped code below it, bottom left."""
    from lms.reports.pdf import FONT

    qr = segno.make(verify_url(certificate.code), error="m", micro=False)
    size = 34.0
    matrix = list(qr.matrix_iter(scale=1, border=0))
    cell = size / len(matrix)
    left, top = 22.0, pdf.h - 64
    pdf.set_fill_color(0, 0, 0)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(left + x * cell, top + y * cell, cell + 0.01, cell + 0.01, style="F")
    pdf.set_xy(left - 6, top + size + 2)
    pdf.set_font(FONT, "", 8)
    pdf.cell(size + 60, 4, "Mã xác thực / Verification code:", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "B", 9)
    pdf.cell(size + 60, 5, certificate.grouped_code, new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 7)
    pdf.cell(size + 60, 4, verify_url(certificate.code))


def issue_due(cadre_ids: list[int], as_of: date) -> int:
    """Issue every certificate not yet issued to ``cadre_ids`` (set-based: :mod:`lms.reports.certificates_due`)."""
    from lms.reports.certificates_due import issue_due as issue_all

    return issue_all(cadre_ids, as_of)


def issue_standards(cadre_ids: list[int], as_of: date) -> None:
    """A certificate per stored compliant status (requirement met, still valid on ``as_of``)."""
    try:
        from lms.standards.models import ComplianceStatus
    except ImportError:  # pragma: no cover - before the standards feature exists
        return
    from lms.records.models import TrainingRecord

    statuses = db.session.scalars(select(ComplianceStatus).where(
        ComplianceStatus.cadre_id.in_(cadre_ids), ComplianceStatus.state == "compliant",
        ComplianceStatus.satisfied_on.is_not(None)))
    for status in statuses:
        if status.valid_until is not None and status.valid_until < as_of:
            continue
        ids = status.record_id_list()
        hours = db.session.scalar(select(func.coalesce(func.sum(TrainingRecord.hours), 0))
                                  .where(TrainingRecord.id.in_(ids))) if ids else 0
        cadre = db.session.get(Cadre, status.cadre_id)
        issue_for_requirement(cadre, requirement_id=status.requirement_id, title=status.requirement.name("vi"),
                              hours=hours or 0, met_on=status.satisfied_on, valid_until=status.valid_until)
