"""The union hierarchy (org units of any depth) and its cadres."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint and the navigation link."""
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav
    from lms.org.views import bp

    app.register_blueprint(bp)
    register_nav(NavItem("org.tree", "Tổ chức", "Organisation", (Role.manager, Role.lecturer), 50))
    register_nav(NavItem("org.cadres", "Cán bộ", "Cadres", (Role.manager, Role.lecturer), 51))
