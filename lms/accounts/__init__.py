"""Users, login, roles and the user's scope in the org tree."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    from lms.accounts.views import bp

    app.register_blueprint(bp)
