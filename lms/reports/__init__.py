"""Reports managers send upward: dashboards, training plans, exports, certificates, reminders."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, navigation links and the record listener that issues certificates."""
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav
    from lms.reports import models  # noqa: F401 - register the tables
    from lms.reports.views import bp, public_bp

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    register_nav(NavItem("reports.index", "Báo cáo", "Reports", (Role.manager,), 60))
    register_nav(NavItem("reports.my_certificates", "Chứng nhận của tôi", "My certificates", (Role.learner,), 70))
    from lms.reports import certificates

    certificates.install_listener()
