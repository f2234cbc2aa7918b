"""Users, login, roles and the user's scope in the org tree."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints and the admin navigation link."""
    from lms.accounts.admin_views import bp as admin_bp
    from lms.accounts.invite_views import bp as invite_bp
    from lms.accounts.loader import load_user
    from lms.accounts.recovery_views import bp as recovery_bp
    from lms.accounts.views import bp
    from lms.core.extensions import login_manager
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav

    login_manager.user_loader(load_user)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(invite_bp)
    app.register_blueprint(recovery_bp)
    register_nav(NavItem("accounts_admin.users", "Người dùng", "Users", (Role.admin,), 91))
