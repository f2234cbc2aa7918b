"""LTI 1.3 / LTI Advantage tool (pylti1p3): platforms launch our modules, deep-link them, get grades
back (AGS) and show their rosters (NRPS). See docs/lti.md."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Blueprints, the ledger listener (AGS), the launch session's reach, framing and cookies, CLI."""
    from lms.api import launch_session
    from lms.core import headers
    from lms.core.roles import Role
    from lms.home import NavItem, register_nav
    from lms.lti import cli, models  # noqa: F401  (tables)
    from lms.lti.admin import bp as admin_bp
    from lms.lti.framing import LtiSessionInterface, allow_platform_framing
    from lms.lti.services import on_record
    from lms.lti.views import bp
    from lms.records.services import on_record_appended

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    # an LTI launch session may come back through the tool's own endpoints (a new launch, the probe)
    launch_session.LAUNCH_ENDPOINTS.update({"lti.login", "lti.launch", "lti.session_probe", "lti.jwks",
                                            "lti.resume", "lti.link", "lti.static"})
    headers.on_response(app, allow_platform_framing)
    app.session_interface = LtiSessionInterface.wrapping(app.session_interface)
    # a score goes back only for a record of an attempt (bulk imports read no rows back for it)
    on_record_appended(on_record, wants=lambda row: row.get("kind", "record") == "record"
                       and (row.get("evidence") or {}).get("attempt_id") is not None)
    for command in cli.commands:
        app.cli.add_command(command)
    register_nav(NavItem("lti_admin.platforms", "Tích hợp LTI", "LTI integration", (Role.admin,), 91))
