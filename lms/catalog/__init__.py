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
