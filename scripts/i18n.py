"""Refresh the catalogs: extract strings, merge, and report untranslated ones.

Usage: python scripts/i18n.py [--check]   (``make i18n``; --check exits 1 when a string lacks a translation)

Two catalogs are kept:

* ``lms/translations/en/LC_MESSAGES/messages.po``: English for our Vietnamese msgids, extracted from the
  templates (``_()``), the Python code (``_``, ``_l``, ``lazy_gettext``) and the labels of WTForms fields
  (the first argument of ``StringField("…")`` etc., which some templates pass through ``_()``).
* ``lms/translations/vi/LC_MESSAGES/wtforms.po``: Vietnamese for WTForms' and Flask-WTF's built-in
  validation messages (WTForms ships no Vietnamese), merged against the ``wtforms.pot`` of the installed
  WTForms; loaded by ``lms.core.forms``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "lms/translations/messages.pot"
PO = ROOT / "lms/translations/en/LC_MESSAGES/messages.po"
WTFORMS_PO = ROOT / "lms/translations/vi/LC_MESSAGES/wtforms.po"

#: WTForms field classes whose first argument (the label) is extracted as a msgid
FIELD_KEYWORDS = [
    "BooleanField", "DateField", "DateTimeField", "DateTimeLocalField", "DecimalField", "DecimalRangeField",
    "EmailField", "FileField", "FloatField", "IntegerField", "IntegerRangeField", "MultipleFileField",
    "PasswordField", "RadioField", "SearchField", "SelectField", "SelectMultipleField", "StringField",
    "TelField", "TextAreaField", "TimeField", "URLField",
]

#: Flask-WTF's file validators translate these through the same ``wtforms`` domain
FLASK_WTF_MESSAGES = [
    "File does not have an approved extension: {extensions}",
    "File does not have an approved extension.",
]


def untranslated(catalog: Catalog) -> list[str]:
    """The msgids of ``catalog`` without a (complete) translation."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return missing


def extract(pot: Path) -> None:
    """Extract the UI strings of the code base into ``pot``."""
    keywords = [arg for kw in ["_l", "lazy_gettext", *FIELD_KEYWORDS] for arg in ("-k", kw)]
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "extract", "-F", "babel.cfg",
                    *keywords, "--no-location", "--omit-header", "-o", str(pot), "."], cwd=ROOT, check=True)


def wtforms_template() -> Catalog:
    """WTForms' own message template, plus the Flask-WTF messages in the same domain."""
    from wtforms.i18n import messages_path

    with (Path(messages_path()) / "wtforms.pot").open("rb") as fh:
        template = read_po(fh)
    for msgid in FLASK_WTF_MESSAGES:
        template.add(msgid)
    return template


def refresh_wtforms() -> list[str]:
    """Merge the Vietnamese WTForms catalog with the installed WTForms; return its untranslated msgids."""
    if WTFORMS_PO.exists():
        with WTFORMS_PO.open("rb") as fh:
            catalog = read_po(fh, locale="vi", domain="wtforms")
    else:
        catalog = Catalog(locale="vi", domain="wtforms")
    catalog.update(wtforms_template(), no_fuzzy_matching=True)
    catalog.fuzzy = False  # the header; a fuzzy header would be skipped when compiled
    WTFORMS_PO.parent.mkdir(parents=True, exist_ok=True)
    with WTFORMS_PO.open("wb") as fh:
        write_po(fh, catalog, width=0, ignore_obsolete=True, omit_header=False)
    return untranslated(catalog)


def main() -> int:
    extract(POT)
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "--quiet", "update", "-i", str(POT),
                    "-d", str(PO.parents[2]), "-l", "en", "--no-fuzzy-matching", "--ignore-obsolete"],
                   cwd=ROOT, check=True)
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = untranslated(catalog)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    missing_vi = refresh_wtforms()
    for msgid in missing_vi:
        print(f"untranslated (vi, wtforms): {msgid!r}")
    return 1 if (missing or missing_vi) and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
