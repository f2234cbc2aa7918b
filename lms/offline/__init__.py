"""Offline study on a phone (issue #22, docs/offline.md): the installable web app (manifest, the LMS
origin's service worker), the download plan of a module, the content origin's own service worker and
download frame, and the clearing of downloaded data at logout."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.offline import views  # noqa: PLC0415 - the views need the app's extensions

    app.register_blueprint(views.bp)
    app.register_blueprint(views.content_bp)
    app.after_request(views.clear_site_data_on_logout)
