"""Records pages: in-person classes, a cadre's transcript (and its amendments), the historical import.

Every page that shows a class or a cadre goes through the scope helpers: outside scope is a 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.scope import get_cadre_or_404, get_unit_or_404, scope_root, sees_everything, visible_units
from lms.catalog.models import TOPIC_LABELS, Module
from lms.core import imports
from lms.core.db import db
from lms.core.errors import UserError, localized
from lms.core.numbers import db_id, page_number
from lms.core.roles import Role, roles_required
from lms.org.models import OrgUnit
from lms.records import classes as class_service
from lms.records import importer, services, transcript
from lms.records.forms import (
    ClassForm,
    CorrectionForm,
    CsrfForm,
    ReasonForm,
    SheetForm,
    WaiverForm,
    topic_choices,
)
from lms.records.models import SOURCE_LABELS, Attendance, Kind, TrainingRecord, source_text
from lms.records.sheets import read_sheet

bp = Blueprint("records", __name__, url_prefix="/records")

#: most units offered in the organising-unit list
MAX_UNIT_CHOICES = 500


def _module_choices() -> list[tuple[str, str]]:
    modules = db.session.scalars(select(Module).where(Module.active).order_by(Module.code))
    return [("", "—")] + [(m.code, f"{m.code} — {m.title_vi}") for m in modules]


def _unit_choices() -> list[tuple[str, str]]:
    units = db.session.scalars(visible_units(current_user).order_by(OrgUnit.path).limit(MAX_UNIT_CHOICES))
    return [(u.code, ("· " * u.depth) + u.name) for u in units]


def _upload() -> tuple[bytes, str]:
    """The uploaded file's bytes (bounded by LMS_IMPORT_MAX_BYTES + 1) and name; 400 when missing."""
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        raise UserError("Hãy chọn một tệp.", "Choose a file.", status=400, code="file_missing")
    limit = current_app.config["LMS_IMPORT_MAX_BYTES"]
    return storage.stream.read(limit + 1), storage.filename


# --- classes --------------------------------------------------------------------------------------


@bp.route("/classes")
@roles_required(Role.lecturer, Role.manager)
def class_list():
    """Classes organised in a unit's subtree (default: the user's scope), newest first."""
    code = request.args.get("unit", "")
    unit = get_unit_or_404(current_user, code) if code else None
    if unit is None and not sees_everything(current_user) and scope_root(current_user) is None:
        abort(404)
    page = request.args.get("page", 1, type=page_number)
    pagination = db.paginate(class_service.visible_classes(current_user, unit), page=page, per_page=50,
                             error_out=False)
    counts = class_service.class_counts([c.id for c in pagination.items])
    return render_template("records/classes.html", unit=unit or scope_root(current_user), pagination=pagination,
                           counts=counts, topics=TOPIC_LABELS,
                           page_url=lambda p: url_for("records.class_list", **{**request.args.to_dict(), "page": p}))


@bp.route("/classes/new", methods=["GET", "POST"])
@roles_required(Role.lecturer, Role.manager)
def class_new():
    """Create a class: module or topic, dates, hours, place, lecturer, organising unit in scope."""
    form = ClassForm()
    form.module.choices = _module_choices()
    form.topic.choices = topic_choices()
    form.org_unit.choices = _unit_choices()
    if request.method == "GET":
        root = scope_root(current_user)
        form.org_unit.data = request.args.get("unit") or (root.code if root else None)
        form.lecturer_name.data = current_user.full_name
    if form.validate_on_submit():
        unit = get_unit_or_404(current_user, form.org_unit.data)
        module = db.session.scalar(select(Module).where(Module.code == form.module.data)) if form.module.data else None
        klass = class_service.create_class(class_service.ClassData(
            title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data, hours=form.hours.data,
            org_unit=unit, module=module, topic=form.topic.data or None, place=form.place.data or "",
            lecturer_name=form.lecturer_name.data or "",
        ), actor=current_user)
        flash(localized("Đã tạo lớp.", "The class was created."), "success")
        return redirect(url_for("records.class_page", class_id=klass.id))
    status = 422 if request.method == "POST" else 200
    return render_template("records/class_form.html", form=form), status


@bp.route("/classes/<int:class_id>")
@roles_required(Role.lecturer, Role.manager)
def class_page(class_id: int):
    """A class with its attendees; ``?q=`` searches cadres in scope (without diacritics) to add."""
    klass = class_service.get_class_or_404(current_user, class_id)
    q = request.args.get("q", "")[:100]
    return render_template(
        "records/class.html", klass=klass, attendees=class_service.active_attendees(klass), q=q,
        results=class_service.search_cadres(current_user, q), form=CsrfForm(), reason_form=ReasonForm(),
        sheet_form=SheetForm(), topics=TOPIC_LABELS,
        module=db.session.get(Module, klass.module_id) if klass.module_id else None,
    )


@bp.route("/classes/<int:class_id>/attendees", methods=["POST"])
@roles_required(Role.lecturer, Role.manager)
def class_pick(class_id: int):
    """Add the picked cadres (``cadre_id`` values, each in scope) to the class."""
    klass = class_service.get_class_or_404(current_user, class_id)
    ids = request.form.getlist("cadre_id", type=db_id)
    if not ids:
        raise UserError("Chưa chọn cán bộ nào.", "No cadre was chosen.", status=422, code="no_cadre")
    for cadre_id in ids:
        class_service.add_attendee(klass, get_cadre_or_404(current_user, cadre_id), actor=current_user)
    flash(localized(f"Đã thêm {len(ids)} học viên.", f"{len(ids)} attendees added."), "success")
    return redirect(url_for("records.class_page", class_id=klass.id))


@bp.route("/classes/<int:class_id>/sheet", methods=["POST"])
@roles_required(Role.lecturer, Role.manager)
def class_sheet(class_id: int):
    """Add attendees from an xlsx/CSV sheet; on any bad row nothing is added and the rows are listed (422)."""
    klass = class_service.get_class_or_404(current_user, class_id)
    data, name = _upload()
    result = class_service.import_attendance(klass, data, name, actor=current_user,
                                             max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"])
    if result.errors:
        bad = len({e.row for e in result.errors})
        preview = imports.Preview(imports.stash(f"attendance:{klass.id}", data, name, current_user.id), name,
                                  result.rows_total, result.rows_total - bad, result.errors)
        return render_template("records/sheet_errors.html", klass=klass, errors=result.errors, preview=preview), 422
    flash(localized(f"Đã thêm {result.added} học viên từ tệp.", f"{result.added} attendees added from the file."),
          "success")
    return redirect(url_for("records.class_page", class_id=klass.id))


@bp.route("/classes/<int:class_id>/sheet/<token>/confirm", methods=["POST"])
@roles_required(Role.lecturer, Role.manager)
def class_sheet_confirm(class_id: int, token: str):
    """Add the valid rows of a previewed attendance sheet (checked again)."""
    klass = class_service.get_class_or_404(current_user, class_id)
    data, name = imports.load(f"attendance:{klass.id}", token, current_user.id)
    result = class_service.import_attendance(klass, data, name, actor=current_user, valid_only=True,
                                             max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"])
    imports.discard(token)
    flash(localized(f"Đã thêm {result.added} học viên từ tệp; bỏ qua {len({e.row for e in result.errors})} dòng lỗi.",
                    f"{result.added} attendees added; {len({e.row for e in result.errors})} rows with errors left out."),
          "success")
    return redirect(url_for("records.class_page", class_id=klass.id))


@bp.route("/classes/<int:class_id>/sheet/<token>/errors.xlsx")
@roles_required(Role.lecturer, Role.manager)
def class_sheet_errors(class_id: int, token: str):
    """The previewed attendance sheet with a "Lỗi" column."""
    klass = class_service.get_class_or_404(current_user, class_id)
    data, name = imports.load(f"attendance:{klass.id}", token, current_user.id)
    max_bytes = current_app.config["LMS_IMPORT_MAX_BYTES"]
    with db.session.begin_nested() as savepoint:  # a dry check: nothing the check does is kept
        result = class_service.import_attendance(klass, data, name, actor=current_user, max_bytes=max_bytes)
        savepoint.rollback()
    sheet = read_sheet(data, name, max_bytes)
    return Response(imports.error_workbook(sheet.headers, sheet.rows, result.errors, "Điểm danh"),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="diem-danh-loi.xlsx"'})


@bp.route("/classes/<int:class_id>/attendees/<int:attendance_id>/remove", methods=["POST"])
@roles_required(Role.lecturer, Role.manager)
def class_remove(class_id: int, attendance_id: int):
    """Remove an attendee; after closing this revokes their record (a reason is required then)."""
    klass = class_service.get_class_or_404(current_user, class_id)
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None or attendance.class_id != klass.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit() and klass.is_closed:
        raise UserError("Cần ghi lý do.", "A reason is required.", status=422, code="reason_required")
    class_service.remove_attendee(klass, attendance, actor=current_user, reason=form.reason.data or "")
    flash(localized("Đã xóa học viên khỏi lớp.", "The attendee was removed."), "success")
    return redirect(url_for("records.class_page", class_id=klass.id))


@bp.route("/classes/<int:class_id>/close", methods=["POST"])
@roles_required(Role.lecturer, Role.manager)
def class_close(class_id: int):
    """Close the class: one record per present attendee, all in this request's transaction."""
    klass = class_service.get_class_or_404(current_user, class_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    count = class_service.close_class(klass, actor=current_user)
    flash(localized(f"Đã kết thúc lớp và ghi {count} bản ghi đào tạo.",
                    f"The class was closed and {count} training records were added."), "success")
    return redirect(url_for("records.class_page", class_id=klass.id))


# --- transcript -----------------------------------------------------------------------------------


def _can_amend() -> bool:
    return current_user.has_any_role(Role.manager)


@bp.route("/me")
@login_required
def my_transcript():
    """The logged-in cadre's own transcript."""
    if current_user.cadre_id is None:
        abort(404)
    return redirect(url_for("records.transcript_page", cadre_id=current_user.cadre_id))


@bp.route("/cadres/<int:cadre_id>")
@roles_required(Role.learner, Role.lecturer, Role.manager)
def transcript_page(cadre_id: int):
    """A cadre's transcript: records with amendments inline, hours per topic per year; 404 outside scope."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    years, by_year, overall = transcript.totals(cadre)
    can_amend = _can_amend() and cadre.id != current_user.cadre_id
    waiver_form = WaiverForm()
    waiver_form.module.choices = _module_choices()
    waiver_form.topic.choices = topic_choices()
    return render_template(
        "records/transcript.html", cadre=cadre, entries=transcript.entries(cadre), years=years, by_year=by_year,
        overall=overall, topic_keys=transcript.topics(), topics=TOPIC_LABELS, sources=SOURCE_LABELS, source_text=source_text,
        evidence_text=transcript.evidence_text, can_amend=can_amend, correction_form=CorrectionForm(),
        reason_form=ReasonForm(), waiver_form=waiver_form, Kind=Kind,
    )


@bp.route("/cadres/<int:cadre_id>/transcript.xlsx")
@roles_required(Role.learner, Role.lecturer, Role.manager)
def transcript_xlsx(cadre_id: int):
    """The transcript as an Excel workbook (Vietnamese headers)."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    body = transcript.export_xlsx(cadre)
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers={
        "Content-Disposition": f'attachment; filename="ho-so-dao-tao-{cadre.code}.xlsx"',
    })


def _record_for_amend(record_id: int) -> TrainingRecord:
    """The record if the user may amend it (a manager in scope, not their own); 404 otherwise."""
    record = db.session.get(TrainingRecord, record_id)
    if record is None:
        abort(404)
    cadre = get_cadre_or_404(current_user, record.cadre_id)
    if not _can_amend() or cadre.id == current_user.cadre_id:
        abort(404)
    return record


@bp.route("/entries/<int:record_id>/correct", methods=["POST"])
@roles_required(Role.manager)
def correct(record_id: int):
    """Append a correction of a record (new hours, score or date; a reason)."""
    record = _record_for_amend(record_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        raise UserError("Dữ liệu sửa không hợp lệ: " + "; ".join(str(e) for errs in form.errors.values() for e in errs),
                        "Invalid correction.", status=422, code="correction_invalid")
    services.correct_record(record, hours=form.hours.data, score=form.score.data,
                            completed_on=form.completed_on.data, reason=form.reason.data, actor=current_user)
    flash(localized("Đã ghi điều chỉnh.", "The correction was recorded."), "success")
    return redirect(url_for("records.transcript_page", cadre_id=record.cadre_id))


@bp.route("/entries/<int:record_id>/revoke", methods=["POST"])
@roles_required(Role.manager)
def revoke(record_id: int):
    """Append a revocation of a record (a reason is required)."""
    record = _record_for_amend(record_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        raise UserError("Cần ghi lý do.", "A reason is required.", status=422, code="reason_required")
    services.revoke_record(record, reason=form.reason.data, actor=current_user)
    flash(localized("Đã thu hồi bản ghi.", "The record was revoked."), "success")
    return redirect(url_for("records.transcript_page", cadre_id=record.cadre_id))


@bp.route("/cadres/<int:cadre_id>/waivers", methods=["POST"])
@roles_required(Role.manager)
def waive(cadre_id: int):
    """Grant a waiver (miễn) of a requirement, module or topic to a cadre in scope."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    if cadre.id == current_user.cadre_id:
        abort(404)
    form = WaiverForm()
    form.module.choices = _module_choices()
    form.topic.choices = topic_choices()
    if not form.validate_on_submit():
        raise UserError("Dữ liệu miễn không hợp lệ.", "Invalid waiver.", status=422, code="waiver_invalid")
    module = db.session.scalar(select(Module).where(Module.code == form.module.data)) if form.module.data else None
    services.grant_waiver(cadre, form.requirement_id.data, module=module, topic=form.topic.data or None,
                          reason=form.reason.data, actor=current_user, completed_on=form.completed_on.data)
    flash(localized("Đã ghi miễn.", "The waiver was recorded."), "success")
    return redirect(url_for("records.transcript_page", cadre_id=cadre.id))


# --- historical import ----------------------------------------------------------------------------


def _import_scope():
    return None if sees_everything(current_user) else scope_root(current_user)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.admin)
def import_page():
    """Upload historical records: "Xem trước" checks and keeps the file (then confirm the valid rows);
    "Nhập ngay" writes everything, only when no row has an error."""
    form = SheetForm()
    if request.method == "GET":
        return render_template("records/import.html", form=form, report=None, columns=importer.COLUMNS)
    if not form.validate_on_submit():
        raise UserError("Hãy chọn một tệp.", "Choose a file.", status=400, code="file_missing")
    data, name = _upload()
    max_bytes = current_app.config["LMS_IMPORT_MAX_BYTES"]
    if request.form.get("action") != "apply":
        report, preview = importer.preview(data, name, max_bytes=max_bytes, user_id=current_user.id,
                                           scope_unit=_import_scope())
        return render_template("records/import.html", form=SheetForm(), report=report, preview=preview,
                               dry_run=True, columns=importer.COLUMNS), 200 if report.ok else 422
    report = importer.check_file(data, name, max_bytes=max_bytes, scope_unit=_import_scope())
    if report.ok:
        importer.apply_import(report, actor=current_user)
    return render_template("records/import.html", form=SheetForm(), report=report, dry_run=False,
                           columns=importer.COLUMNS), 200 if report.ok else 422


@bp.route("/import/<token>/confirm", methods=["POST"])
@roles_required(Role.admin)
def import_confirm(token: str):
    """Import the valid rows of a previewed file."""
    report = importer.confirm(token, max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"], actor=current_user,
                              scope_unit=_import_scope())
    added, bad, dup = len(report.to_add), len({e.row for e in report.errors}), len(report.skipped)
    flash(localized(f"Đã nhập {added} bản ghi; bỏ qua {bad} dòng lỗi, {dup} dòng trùng.",
                    f"Imported {added} records; left out {bad} rows with errors and {dup} duplicates."), "success")
    return redirect(url_for("records.import_page"))


@bp.route("/import/<token>/errors.xlsx")
@roles_required(Role.admin)
def import_errors(token: str):
    """The previewed file with a "Lỗi" column."""
    body = importer.error_workbook(token, max_bytes=current_app.config["LMS_IMPORT_MAX_BYTES"],
                                   user_id=current_user.id, scope_unit=_import_scope())
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="ho-so-dao-tao-loi.xlsx"'})


@bp.route("/import/template.xlsx")
@roles_required(Role.admin)
def import_template():
    """An empty import workbook with the expected headers and one example row."""
    return Response(importer.template_xlsx(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="mau-nhap-ho-so-dao-tao.xlsx"'})
