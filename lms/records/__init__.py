"""The training-record ledger (hồ sơ đào tạo): append-only."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the navigation links and the lecturer's "my classes" panel."""
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel
    from lms.records.views import bp

    app.register_blueprint(bp)
    register_nav(NavItem("records.class_list", "Lớp tập huấn", "Classes", (Role.lecturer, Role.manager), 60))
    register_nav(NavItem("records.my_transcript", "Hồ sơ đào tạo", "My transcript", (Role.learner,), 61))
    register_nav(NavItem("records.import_page", "Nhập hồ sơ", "Import records", (Role.admin,), 62))
    register_panel(Panel(Role.lecturer, "records/panel_classes.html", _my_classes, 40))


def _my_classes(user) -> dict:
    """The lecturer's own classes, latest first (at most 5)."""
    from sqlalchemy import select

    from lms.core.db import db
    from lms.records.models import TrainingClass

    classes = db.session.scalars(
        select(TrainingClass).where(TrainingClass.created_by_id == user.id)
        .order_by(TrainingClass.starts_on.desc(), TrainingClass.id.desc()).limit(5)
    ).all()
    return {"my_classes": classes}
