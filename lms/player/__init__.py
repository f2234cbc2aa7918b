"""The SCORM player: attempts, launch with scorm-again, the run-time commit endpoint, resume, records."""

import os

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the navigation link and the learner's home panel."""
    from lms.core.roles import Role
    from lms.home import NavItem, Panel, register_nav, register_panel
    from lms.player import commit_lean, models  # noqa: F401  (tables)
    from lms.player.commit_beacon import bp as beacon_bp
    from lms.player.views import bp

    strict = os.environ.get("LMS_SCORM12_STRICT_SUSPEND_DATA", "").strip().lower() in {"1", "true", "yes", "on"}
    app.config.setdefault("LMS_SCORM12_STRICT_SUSPEND_DATA", strict)
    app.config.setdefault("LMS_PLAYER_AUTOCOMMIT_SECONDS", 10)
    # "all": a log row per commit; "problems": only duplicate, stale and refused ones (docs/player.md)
    log = os.environ.get("LMS_PLAYER_COMMIT_LOG", "all").strip().lower()
    app.config.setdefault("LMS_PLAYER_COMMIT_LOG", log if log in {"all", "problems"} else "all")
    # state rows kept per worker process so that a plain commit is one statement (lms.player.state_cache)
    app.config.setdefault("LMS_PLAYER_STATE_CACHE", int(os.environ.get("LMS_PLAYER_STATE_CACHE", "2048") or 0))
    # plain commits answered in front of Flask (lms.player.commit_lean); off: every commit through Flask
    lean = os.environ.get("LMS_LEAN_PATHS", "1").strip().lower() not in {"0", "false", "no", "off"}
    app.config.setdefault("LMS_LEAN_PATHS", lean)
    app.register_blueprint(bp)
    app.register_blueprint(beacon_bp)
    commit_lean.init_app(app)
    register_nav(NavItem("player.my_modules", "Học phần của tôi", "My modules", (Role.learner,), 10))
    register_panel(Panel(Role.learner, "player/_home_panel.html", _panel_context, 10))


def _panel_context(user) -> dict:
    from lms.player.models import ATTEMPT_STATUS_LABELS
    from lms.player.services import available_modules, my_modules

    if user.cadre_id is None:
        return {"rows": [], "available": [], "status_labels": ATTEMPT_STATUS_LABELS}
    rows = my_modules(user.cadre_id)
    return {"rows": rows[:5], "available": available_modules({r.module.id for r in rows})[:5],
            "status_labels": ATTEMPT_STATUS_LABELS}
