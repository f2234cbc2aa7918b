"""Modules (học phần) and their SCORM package versions: lecturer pages, upload, content serving."""

from flask import Flask
from werkzeug.exceptions import RequestEntityTooLarge


def init_app(app: Flask) -> None:
    """Register the blueprints, the navigation link and the lecturer's home panel."""
    from lms.catalog import legal, views
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel

    app.register_blueprint(views.bp)
    app.register_blueprint(views.content_bp)
    register_nav(NavItem("catalog.modules", "Học phần", "Modules", (Role.lecturer,), 30))
    register_panel(Panel(Role.lecturer, "catalog/_home_panel.html", views.home_panel_context, 30))
    register_panel(Panel(Role.admin, "catalog/_home_panel.html", views.admin_panel_context, 30))
    app.register_error_handler(RequestEntityTooLarge, views.too_large)
    app.add_template_global(legal.module_legal)
    app.context_processor(_content_isolation_warning)


def _content_isolation_warning() -> dict:
    """``unsafe_content_warning``: admins see a banner while packages run on the LMS's own origin."""
    from flask import current_app
    from flask_login import current_user

    from lms.core.roles import Role

    unsafe = bool(current_app.config.get("LMS_UNSAFE_SAME_ORIGIN_CONTENT"))
    return {"unsafe_content_warning": unsafe and current_user.is_authenticated and current_user.has_role(Role.admin)}
