"""Admin pages: consumers (create, show the secret once, rotate, enable/disable) and learner links
waiting for confirmation.

Consumers are national: only the whole-tree admin registers, rotates, re-frames or toggles one (a
consumer's launches reach learners of every unit). Scoped admins see the list read-only (403 on every
change) and confirm links only to cadres in their own subtree."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from lms.accounts.scope import sees_everything, visible_cadres
from lms.api import services
from lms.api.forms import ConsumerForm, EmptyForm, LinkForm, OriginsForm
from lms.api.models import LINK_STATUS_LABELS, Consumer, ConsumerLearner, LinkStatus
from lms.core.db import db
from lms.core.errors import UserError, localized
from lms.core.roles import Role, roles_required
from lms.org.models import Cadre

bp = Blueprint("api_admin", __name__, url_prefix="/admin/consumers")


def _national_only() -> None:
    """403 unless the current admin is the whole-tree (national) admin."""
    if not sees_everything(current_user):
        abort(403)


def _consumer_or_404(consumer_id: int) -> Consumer:
    _national_only()
    consumer = db.session.get(Consumer, consumer_id)
    if consumer is None:
        abort(404)
    return consumer


def _list_page(form: ConsumerForm, status: int = 200, secret: str | None = None, shown: Consumer | None = None):
    consumers = db.session.scalars(select(Consumer).order_by(Consumer.key)).all()
    counts = dict(db.session.execute(select(ConsumerLearner.consumer_id, func.count()).group_by(
        ConsumerLearner.consumer_id)).all())
    pending = db.session.scalar(select(func.count()).select_from(ConsumerLearner).where(
        ConsumerLearner.status == LinkStatus.pending.value))
    response = make_response(render_template("api/consumers.html", consumers=consumers, counts=counts, form=form,
                                             secret=secret, shown=shown, pending=pending, actions=EmptyForm(),
                                             origins_form=OriginsForm(formdata=None),
                                             can_manage=sees_everything(current_user)), status)
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.admin)
def consumers():
    """Consumers (Open edX platforms) and a form to register one; the new secret is shown once."""
    form = ConsumerForm()
    if request.method == "POST":
        _national_only()
        if not form.validate_on_submit():
            return _list_page(form, 422)
        try:
            consumer, secret = services.create_consumer(form.key.data, form.name.data, origins=form.origins.data,
                                                        created_by_id=current_user.id)
        except UserError as exc:
            flash(exc.message(), "danger")
            return _list_page(form, exc.status)
        return _list_page(ConsumerForm(formdata=None), 201, secret=secret, shown=consumer)
    return _list_page(form)


@bp.route("/<int:consumer_id>/rotate", methods=["POST"])
@roles_required(Role.admin)
def rotate(consumer_id: int):
    """Give a consumer a new secret (shown once); the old one stops working at once."""
    consumer = _consumer_or_404(consumer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    secret = services.rotate_secret(consumer)
    return _list_page(ConsumerForm(formdata=None), secret=secret, shown=consumer)


@bp.route("/<int:consumer_id>/origins", methods=["POST"])
@roles_required(Role.admin)
def origins(consumer_id: int):
    """Replace the platform origins allowed to frame the consumer's launches."""
    consumer = _consumer_or_404(consumer_id)
    form = OriginsForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_origins(consumer, form.origins.data or "")
    flash(localized("Đã lưu địa chỉ nền tảng.", "Origins saved."), "success")
    return redirect(url_for("api_admin.consumers"))


@bp.route("/<int:consumer_id>/active", methods=["POST"])
@roles_required(Role.admin)
def toggle(consumer_id: int):
    """Enable or disable a consumer (a disabled consumer's launches and queries are refused)."""
    consumer = _consumer_or_404(consumer_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    consumer.active = not consumer.active
    services.forget_framing_origins()
    flash(localized("Đã bật consumer." if consumer.active else "Đã tắt consumer.",
                    "Consumer enabled." if consumer.active else "Consumer disabled."), "success")
    return redirect(url_for("api_admin.consumers"))


@bp.route("/learners")
@roles_required(Role.admin)
def learners():
    """Learners sent by consumers, pending first (filter ``?status=pending|linked|rejected``)."""
    status = request.args.get("status", LinkStatus.pending.value)
    if status not in {s.value for s in LinkStatus}:
        status = LinkStatus.pending.value
    query = select(ConsumerLearner).where(ConsumerLearner.status == status)
    if status == LinkStatus.linked.value:  # linked learners show their cadre: only those in the admin's scope
        query = query.where(ConsumerLearner.cadre_id.in_(visible_cadres(current_user).with_only_columns(Cadre.id)))
    rows = db.session.scalars(query.order_by(ConsumerLearner.created_at.desc(), ConsumerLearner.id.desc())
                              .limit(500)).all()
    return render_template("api/learners.html", rows=rows, status=status, labels=LINK_STATUS_LABELS,
                           form=LinkForm(formdata=None), actions=EmptyForm())


def _learner_or_404(learner_id: int) -> ConsumerLearner:
    learner = db.session.get(ConsumerLearner, learner_id)
    if learner is None:
        abort(404)
    return learner


@bp.route("/learners/<int:learner_id>/link", methods=["POST"])
@roles_required(Role.admin)
def link(learner_id: int):
    """Confirm a learner as the cadre with the given code (in the admin's scope)."""
    learner = _learner_or_404(learner_id)
    form = LinkForm()
    if not form.validate_on_submit():
        raise UserError("Cần mã cán bộ.", "A cadre code is required.", status=422, code="cadre_code_missing")
    services.confirm_link(learner, form.cadre_code.data, current_user)
    flash(localized(f"Đã liên kết với cán bộ {learner.cadre.code} — {learner.cadre.full_name}.",
                    f"Linked to cadre {learner.cadre.code}."), "success")
    return redirect(url_for("api_admin.learners"))


@bp.route("/learners/<int:learner_id>/reject", methods=["POST"])
@roles_required(Role.admin)
def reject(learner_id: int):
    """Refuse a learner link."""
    learner = _learner_or_404(learner_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.reject_link(learner, current_user)
    flash(localized("Đã từ chối liên kết.", "Link rejected."), "success")
    return redirect(url_for("api_admin.learners"))
