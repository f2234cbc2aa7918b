"""The union hierarchy (org units of any depth) and its cadres."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints and the navigation links."""
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav
    from lms.org.admin_views import bp as admin_bp
    from lms.org.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    register_nav(NavItem("org.tree", "Tổ chức", "Organisation", (Role.manager, Role.lecturer), 50))
    register_nav(NavItem("org.cadres", "Cán bộ", "Cadres", (Role.manager, Role.lecturer), 51))
    register_nav(NavItem("org_admin.import_page", "Nhập dữ liệu", "Import", (Role.admin,), 90))
