"""Sources of the test SCOs; :func:`build_zip` packs one into a zip at test time."""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).parent
#: fixture name -> SCORM version written into the SCO page
FIXTURES = {"scorm12_single": "1.2", "scorm12_multi": "1.2", "scorm2004": "2004",
            # the same SCO launched with ?manual=1: it does not initialize by itself (bridge tests drive it)
            "bridge12": "1.2", "bridge2004": "2004"}


def build_zip(name: str, out_dir: Path) -> Path:
    """Zip fixture ``name`` (its manifest plus the common SCO page and script) into ``out_dir``."""
    out = out_dir / f"{name}.zip"
    page = (HERE / "common" / "index.html").read_text(encoding="utf-8").replace("__VERSION__", FIXTURES[name])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(HERE / name / "imsmanifest.xml", "imsmanifest.xml")
        zf.writestr("index.html", page)
        zf.write(HERE / "common" / "sco.js", "sco.js")
    return out
