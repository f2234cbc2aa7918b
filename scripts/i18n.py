"""Refresh the English catalog: extract strings, merge, and report untranslated ones.

Usage: python scripts/i18n.py [--check]   (``make i18n``; --check exits 1 when a string lacks English)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "lms/translations/messages.pot"
PO = ROOT / "lms/translations/en/LC_MESSAGES/messages.po"


def main() -> int:
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*pybabel, "--quiet", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext",
                    "--no-location", "--omit-header", "-o", str(POT), "."], cwd=ROOT, check=True)
    subprocess.run([*pybabel, "--quiet", "update", "-i", str(POT), "-d", str(PO.parents[2]), "-l", "en",
                    "--no-fuzzy-matching", "--ignore-obsolete"], cwd=ROOT, check=True)
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = [m.id for m in catalog if m.id and not m.string]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False)
    return 1 if missing and "--check" in sys.argv else 0


if __name__ == "__main__":
    sys.exit(main())
