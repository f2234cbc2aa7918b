"""Training standards, requirements and the compliance engine with its stored statuses."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, navigation, the learner's home panel and the engine's hooks."""
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel
    from lms.standards import admin_views, hooks
    from lms.standards.views import bp, learner_panel_context

    assert admin_views.bp is bp  # the admin routes register on the standards blueprint when imported
    app.register_blueprint(bp)
    hooks.install()
    # managers reach the filtered compliance view from the report page (one dashboard, not two in the menu)
    register_nav(NavItem("standards.admin_list", "Chuẩn đào tạo", "Standards", (Role.admin,), 61))
    register_panel(Panel(Role.learner, "standards/_learner_panel.html", learner_panel_context, 20))
