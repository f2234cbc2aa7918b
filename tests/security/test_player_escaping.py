"""Titles that try to break out of the player page (issue #16): a module or package title containing
``<!--<script>`` or ``</script>`` is escaped everywhere it goes — HTML text, attributes and the inline JSON
of ``#player-config`` — and the player still works."""

from __future__ import annotations

import re
import zipfile

from lms.catalog.services import create_module, import_package
from lms.core.db import db
from tests.e2e.conftest import login
from tests.e2e.player_pages import sco_frame, start
from tests.e2e.sco_fixtures import HERE as FIXTURES

HOSTILE_TITLE = 'Bài </script><!--<script>alert("x")</script> "\' & <b>đậm</b>'


def publish_with_hostile_titles(tmp_path, code: str = "ESC1"):
    manifest = (FIXTURES / "scorm12_single" / "imsmanifest.xml").read_text(encoding="utf-8")
    escaped = HOSTILE_TITLE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    manifest = manifest.replace("<title>Bài 1</title>", f"<title>{escaped}</title>")
    out = tmp_path / "esc.zip"
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("index.html", (FIXTURES / "common" / "index.html").read_text().replace("__VERSION__", "1.2"))
        zf.write(FIXTURES / "common" / "sco.js", "sco.js")
    module = create_module(code, HOSTILE_TITLE, topic="osh", hours=1)
    import_package(module, out)
    db.session.commit()
    return module


def test_the_inline_config_holds_no_markup(client, auth, tree, tmp_path):
    """The JSON data block can neither close the script element nor open a comment/script state."""
    publish_with_hostile_titles(tmp_path)
    auth.login("hv.nhung")
    launched = client.post("/player/modules/ESC1/launch", data={"csrf_token": auth.csrf("/player/")})
    assert launched.status_code == 302
    page = client.get(launched.headers["Location"]).get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', page, re.S)
    assert block is not None
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert "<!--<script>" not in page and 'alert("x")</script>' not in page


def test_the_player_still_works_with_hostile_titles(app, tree, tmp_path, live_server, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    publish_with_hostile_titles(tmp_path)
    login(page, live_server, "hv.nhung")
    frame = start(page, live_server, "ESC1")
    assert frame.inner_text("#entry") == "ab-initio"
    assert page.evaluate("window.lmsPlayer.config.scoId") == "sco1"
    assert HOSTILE_TITLE in page.inner_text(".player-bar")  # shown as text
    assert page.get_attribute("#sco-frame", "title") == HOSTILE_TITLE
    assert page.locator("b:has-text('đậm')").count() == 0
    assert dialogs == []
    frame = sco_frame(page)
    frame.evaluate("() => { sco.complete(90); return sco.finish(); }")
    assert page.evaluate("window.lmsPlayer.whenIdle(10000)") is True
