"""Vietnamese first, English selectable per user (stored on the user, or in the session)."""

from __future__ import annotations

import unicodedata

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}

babel = Babel()


def select_locale() -> str:
    """The session's language (set from the user's saved choice at login), else ``?lang=``, else Vietnamese.

    It never loads the user: the locale is needed while the user is being loaded (messages).
    """
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if request and request.args.get("lang") in LANGUAGES:
        return request.args["lang"]
    return "vi"


def nfc(text: str | None) -> str | None:
    """Store text in Unicode NFC (Vietnamese typed on some keyboards arrives decomposed)."""
    return unicodedata.normalize("NFC", text.strip()) if text is not None else None


def fold(text: str | None) -> str:
    """Lower-case text without diacritics, for search: 'Nguyễn Đức' -> 'nguyen duc'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def init_app(app: Flask) -> None:
    """Install Flask-Babel with the locale selector."""
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES

    from lms.core import forms

    forms.init_app(app)  # WTForms' built-in messages in the UI language
