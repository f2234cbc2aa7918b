"""The standards admin: list, load/export files, create and edit standards and requirements with forms.

Routes live on the standards blueprint (endpoints ``standards.admin_*``). Every save shows how many
cadres the standard applies to; one that would apply to nobody is refused (422, nothing written).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from lms.core.db import db
from lms.core.errors import UserError, localized
from lms.core.roles import Role, roles_required
from lms.standards import editing, engine, services
from lms.standards.forms import LoadForm, NewRequirementForm, NewStandardForm, RequirementForm, StandardForm
from lms.standards.models import Requirement, Standard
from lms.standards.reach import Reach, reach, tree_levels, warning
from lms.standards.views import bp


def _standard_or_404(code: str) -> Standard:
    std = db.session.scalar(select(Standard).where(Standard.code == code))
    if std is None:
        abort(404)
    return std


def _flash_reach(std: Standard, found: Reach) -> None:
    flash(localized(f"Chuẩn {std.code} áp dụng cho {found.cadres} cán bộ.",
                    f"Standard {std.code} applies to {found.cadres} cadres."), "success")


def _refused(forms, exc: UserError) -> None:
    """Show a refused save on the form (the 422 response rolls the transaction back)."""
    forms[0].form_errors.append(localized(exc.message_vi, exc.message_en))


@bp.route("/admin")
@roles_required(Role.admin)
def admin_list():
    """Standards with their requirement versions; upload a file; recompute."""
    standards = db.session.scalars(select(Standard).order_by(Standard.code)).all()
    return render_template("standards/admin_list.html", standards=standards, form=LoadForm(),
                           today=engine.today_vn(), reach={s.id: reach(s) for s in standards},
                           levels=tree_levels())


@bp.route("/admin/load", methods=["POST"])
@roles_required(Role.admin)
def admin_load():
    """Load a TOML/YAML file: all of it or nothing (422 with the first problem)."""
    form = LoadForm()
    if not form.validate_on_submit():
        raise UserError("Hãy chọn một tệp .toml, .yaml hoặc .yml.", "Choose a .toml, .yaml or .yml file.", 422,
                        "standard_invalid")
    upload = form.file.data
    suffix = Path(upload.filename or "").suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        upload.save(path)
        results = services.load_file(path, user_id=current_user.id)
    flash(localized(f"Đã nạp {len(results)} chuẩn; {sum(n for _, n in results)} phiên bản yêu cầu mới.",
                    f"Loaded {len(results)} standards; {sum(n for _, n in results)} new requirement versions."),
          "success")
    for std, _ in results:
        found = reach(std)
        if found.nobody:
            flash(localized(*warning(std, found)), "warning")
        else:
            _flash_reach(std, found)
    return redirect(url_for("standards.admin_list"))


@bp.route("/admin/standards/<code>.yaml")
@roles_required(Role.admin)
def admin_export(code: str):
    """The standard (current requirement versions) as a YAML file the loader reads back."""
    std = _standard_or_404(code)
    return Response(editing.export_yaml(std), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{std.code}.yaml"'})


@bp.route("/admin/recompute", methods=["POST"])
@roles_required(Role.admin)
def admin_recompute():
    """Recompute every status (set-based) in a background job; the page shows its progress."""
    from lms.core.exports import job_response
    from lms.core.jobs import enqueue
    from lms.standards.jobs import recompute_all

    return job_response(enqueue(recompute_all, title="Tính lại trạng thái tuân thủ", user_id=current_user.id))


@bp.route("/admin/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def admin_new():
    """A new standard with its first requirement."""
    std_form, req_form = NewStandardForm(prefix="std"), NewRequirementForm(prefix="req")
    req_form.use_levels(tree_levels())
    if request.method == "GET":
        std_form.effective_from.data = req_form.effective_from.data = engine.today_vn()
    if std_form.validate_on_submit() & req_form.validate_on_submit():
        try:
            std, found = editing.create_standard(std_form.to_data(std_form.code.data),
                                                 req_form.to_item(req_form.code.data), current_user.id)
        except UserError as exc:
            _refused([std_form], exc)
        else:
            _flash_reach(std, found)
            return redirect(url_for("standards.admin_standard", code=std.code))
    return render_template("standards/admin_new.html", std_form=std_form, req_form=req_form), \
        422 if request.method == "POST" else 200


@bp.route("/admin/standards/<code>", methods=["GET", "POST"])
@roles_required(Role.admin)
def admin_standard(code: str):
    """The standard's attributes (name, target, dates) and its requirements."""
    std = _standard_or_404(code)
    form = StandardForm()
    if request.method == "GET":
        form.fill(std)
    if form.validate_on_submit():
        try:
            found = editing.update_standard(std, form.to_data(std.code))
        except UserError as exc:
            _refused([form], exc)
        else:
            _flash_reach(std, found)
            return redirect(url_for("standards.admin_standard", code=std.code))
    return render_template("standards/admin_standard.html", form=form, std=std, found=reach(std)), \
        422 if request.method == "POST" else 200


@bp.route("/admin/standards/<code>/requirements/new", methods=["GET", "POST"])
@roles_required(Role.admin)
def admin_requirement_new(code: str):
    """Add a requirement to a standard (version 1, from the chosen day or today)."""
    std = _standard_or_404(code)
    form = NewRequirementForm()
    form.use_levels(tree_levels())
    if request.method == "GET":
        form.effective_from.data = engine.today_vn()
    if form.validate_on_submit():
        try:
            found = editing.add_requirement(std, form.to_item(form.code.data), current_user.id)
        except UserError as exc:
            _refused([form], exc)
        else:
            _flash_reach(std, found)
            return redirect(url_for("standards.admin_standard", code=std.code))
    return render_template("standards/admin_requirement.html", form=form, current=None, std=std, versions=[]), \
        422 if request.method == "POST" else 200


@bp.route("/admin/requirements/<code>", methods=["GET", "POST"])
@roles_required(Role.admin)
def admin_requirement(code: str):
    """Edit a requirement: saving adds a version effective from the chosen date (history is kept)."""
    current = services.current_version(code)
    if current is None:
        abort(404)
    versions = db.session.scalars(select(Requirement).where(Requirement.code == code)
                                  .order_by(Requirement.version.desc())).all()
    form = RequirementForm()
    form.use_levels(tree_levels(), (current.applies_to or {}).get("levels", []))
    if request.method == "GET":
        form.fill(current)
        form.effective_from.data = engine.today_vn()
    if form.validate_on_submit():
        try:
            changed, found = editing.version_requirement(current, form.to_item(code), form.effective_from.data,
                                                         current_user.id)
        except UserError as exc:
            _refused([form], exc)
        else:
            flash(localized("Đã lưu phiên bản mới." if changed else "Không có thay đổi.",
                            "New version saved." if changed else "Nothing changed."), "success")
            _flash_reach(current.standard, found)
            return redirect(url_for("standards.admin_requirement", code=code))
    return render_template("standards/admin_requirement.html", form=form, current=current, std=current.standard,
                           versions=versions), 422 if request.method == "POST" else 200
