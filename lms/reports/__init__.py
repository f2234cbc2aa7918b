"""Reports managers send upward: dashboards, training plans, exports, certificates, reminders."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, navigation links and the record listener that issues certificates."""
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel
    from lms.reports import (
        models,  # noqa: F401 - register the tables
        plan_views,
    )
    from lms.reports.views import bp, home_panel_context, public_bp

    assert plan_views.bp is bp  # the plan pages register on the reports blueprint when imported
    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    register_nav(NavItem("reports.index", "Báo cáo", "Reports", (Role.manager,), 60))
    # one manager home: the headline of the user's scope (admins: theirs, or the whole tree), first
    register_panel(Panel(Role.manager, "reports/_manager_home.html", home_panel_context, 5, wide=True))
    register_panel(Panel(Role.admin, "reports/_manager_home.html", home_panel_context, 5, wide=True))
    register_nav(NavItem("reports.my_certificates", "Chứng nhận của tôi", "My certificates", (Role.learner,), 70))
    from lms.reports import certificates, trained

    certificates.install_listener()
    trained.install()  # the home page's "trained in the year / active cadres" counts
