"""The union cadre LMS: a Flask application. ``create_app`` is the factory."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported when an app is made: ``lms --help`` never loads it (lms/cli.py)
    from flask import Flask

#: feature packages; each defines ``init_app(app)`` in its package module, or a ``views.bp`` blueprint.
#: A package not yet present is skipped.
FEATURES = ["accounts", "org", "catalog", "player", "assessments", "records", "standards", "reports", "api", "lti",
            "xapi", "learning", "offline"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the application: settings from ``LMS_*`` variables, then ``config`` on top (tests)."""
    from flask import Flask

    instance_path = os.environ.get("LMS_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from lms.core.settings import load_settings

    app.config.update(load_settings(Path(app.instance_path)))
    if config:
        app.config.update(config)

    _init_extensions(app)
    _register_features(app)
    _content_frames(app)
    _trust_proxies(app)
    _init_transfer(app)
    from lms.core import devhost

    devhost.init_app(app)  # make demo: 127.0.0.1 → lms.localhost (one site with its content origin)
    return app


def _content_frames(app: Flask) -> None:
    """LMS pages may frame the package content origin (the player's SCO frame). Asked for the pages'
    policy only (JSON answers get a fixed one, lms.core.headers), remembered per host and settings."""
    from flask import request

    from lms.core import headers

    @functools.lru_cache(maxsize=64)
    def origin_for(host_url: str, configured: str | None, unsafe: bool) -> str | None:
        from lms.catalog.content import content_origin as origin  # noqa: PLC0415 - the catalog owns it

        return origin()

    def content_origin() -> str | None:
        return origin_for(request.host_url, app.config.get("LMS_CONTENT_ORIGIN"),
                          bool(app.config.get("LMS_UNSAFE_SAME_ORIGIN_CONTENT")))

    if importlib.util.find_spec("lms.catalog") is not None:
        headers.allow(app, "frame-src", content_origin)


def _trust_proxies(app: Flask) -> None:
    """Behind ``LMS_TRUSTED_PROXIES`` reverse proxies, take the client address, scheme and host from the
    ``X-Forwarded-*`` headers they set (Werkzeug's ProxyFix, counting from the right: what the client
    itself wrote there is ignored). With 0, the default, those headers are never read."""
    hops = int(app.config.get("LMS_TRUSTED_PROXIES") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _init_transfer(app: Flask) -> None:
    """Compressed responses and long-lived caching of fingerprinted static files (lms/core/transfer.py)."""
    from lms.core import transfer

    transfer.init_app(app)


def _init_extensions(app: Flask) -> None:
    from lms.core import db as core_db
    from lms.core import errors, headers, i18n
    from lms.core.extensions import csrf, login_manager, migrate
    from lms.core.sessions import CachingSessionInterface

    app.session_interface = CachingSessionInterface()
    core_db.init_app(app)
    from lms.core import numbers

    numbers.init_app(app)
    migrate.init_app(app, core_db.db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    headers.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)

    from lms.core import storage

    storage.init_app(app)

    from lms.core import jobs

    jobs.init_app(app)

    from lms.core import templating

    templating.init_app(app)
    from lms import home

    home.init_app(app)

    from lms.core import error_reports

    error_reports.init_app(app)


def _register_features(app: Flask) -> None:
    for name in FEATURES:
        if importlib.util.find_spec(f"lms.{name}") is None:
            continue
        package = importlib.import_module(f"lms.{name}")
        init = getattr(package, "init_app", None)
        if init is not None:
            init(app)
        elif importlib.util.find_spec(f"lms.{name}.views") is not None:
            app.register_blueprint(importlib.import_module(f"lms.{name}.views").bp)
        elif importlib.util.find_spec(f"lms.{name}.models") is not None:
            importlib.import_module(f"lms.{name}.models")
    from lms import cli

    cli.register(app)
