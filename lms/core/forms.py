"""WTForms' built-in messages ("This field is required.") in the UI language.

Flask-WTF translates them with the ``wtforms`` gettext domain, but looks only in the catalogs that
WTForms ships, and WTForms ships no Vietnamese. Our own catalog lives in
``lms/translations/<locale>/LC_MESSAGES/wtforms.po`` (Vietnamese); any other locale uses WTForms'
catalog (English messages are WTForms' msgids). The ``.po`` is read directly (it is small), so no
compile step is needed for this domain.

Feature forms keep subclassing ``flask_wtf.FlaskForm``: :func:`init_app` hands Flask-WTF a translations
object per request (``request.wtforms_translations``, the attribute Flask-WTF caches its catalog in)
that looks the locale up on every call, so a language chosen during the request is honoured.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import get_locale
from wtforms.i18n import messages_path

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "wtforms"


@lru_cache(maxsize=8)
def catalog_for(locale: str) -> gettext.NullTranslations:
    """WTForms' messages for ``locale``: our catalog when we have one, else WTForms' own."""
    po = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po.is_file():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return support.Translations(fp=buffer, domain=DOMAIN)
    return support.Translations.load(messages_path(), [locale], domain=DOMAIN)


def _current() -> gettext.NullTranslations:
    try:
        locale = str(get_locale() or "vi")
    except Exception:  # outside a request or before Flask-Babel is set up
        locale = "vi"
    return catalog_for(locale)


class LocaleTranslations:
    """The WTForms translations interface, resolving the UI locale on each call."""

    def gettext(self, string: str) -> str:
        return _current().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _current().ngettext(singular, plural, n)

    # Flask-WTF's own Translations calls the u-prefixed names
    ugettext = gettext
    ungettext = ngettext


translations = LocaleTranslations()


def init_app(app: Flask) -> None:
    """Give every request's forms the locale-aware WTForms messages (unless ``WTF_I18N_ENABLED`` is off)."""

    @app.before_request
    def _wtforms_translations() -> None:
        if app.config.get("WTF_I18N_ENABLED", True):
            request.wtforms_translations = translations
