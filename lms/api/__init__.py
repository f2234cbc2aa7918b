"""The JSON API for integrations and the Open edX XBlock: consumers, signed launches, results, the
OpenAPI document, and the admin pages for consumers and pending learner links."""

import os

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprints, the launch-session guard, the framing policy for consumers' origins, the
    admin navigation link and the cookie policy.

    ``LMS_XBLOCK_IFRAME_COOKIES=1`` (production behind HTTPS, Open edX on another site) makes the session
    cookie ``SameSite=None; Secure`` so the player works inside Open edX's iframe.
    """
    from lms.api import models  # noqa: F401  (tables)
    from lms.api.admin import bp as admin_bp
    from lms.api.launch_session import allow_consumer_framing, guard_launch_session
    from lms.api.views import bp
    from lms.core import headers
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav

    app.config.setdefault("LMS_API_SECRET_KEY", os.environ.get("LMS_API_SECRET_KEY") or None)
    iframe = os.environ.get("LMS_XBLOCK_IFRAME_COOKIES", "").strip().lower() in {"1", "true", "yes", "on"}
    app.config.setdefault("LMS_XBLOCK_IFRAME_COOKIES", iframe)
    if app.config["LMS_XBLOCK_IFRAME_COOKIES"]:
        app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.before_request(guard_launch_session)
    headers.on_response(app, allow_consumer_framing)
    register_nav(NavItem("api_admin.consumers", "Tích hợp Open edX", "Open edX integration", (Role.admin,), 90))
