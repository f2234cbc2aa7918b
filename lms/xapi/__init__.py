"""xAPI: every completion, pass/fail, score and attendance in the ledger becomes an xAPI statement,
queued in an outbox in the record's transaction and sent to the configured LRS (``lms xapi send``).
The statements follow the profile in docs/xapi.md."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The outbox's table, the ledger listener that queues statements (only with an LRS configured: a
    registered listener makes bulk imports read their rows back), the CLI; cmi5: the package importer, the
    launch, fetch and LRS-proxy routes."""
    from lms.catalog.services import register_importer
    from lms.records.services import on_record_appended
    from lms.xapi import cli, cmi5_models, models  # noqa: F401  (tables)
    from lms.xapi.cmi5_import import import_cmi5
    from lms.xapi.cmi5_views import bp
    from lms.xapi.outbox import queue_record, wants_statement

    if app.config.get("LMS_XAPI_ENDPOINT"):
        on_record_appended(queue_record, wants=wants_statement)
    app.cli.add_command(cli.xapi)
    app.register_blueprint(bp)
    register_importer(import_cmi5)
