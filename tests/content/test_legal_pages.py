"""The lecturer's module page lists what to review; learners see the date and texts a module follows."""

from __future__ import annotations

from pathlib import Path

from lms.catalog import services as catalog
from lms.content.builder import COURSES_DIR, package_source, registry_for
from lms.content.demo import seed_modules
from lms.content.source import load_course
from lms.core.db import db
from scorm.build import build_package
from tests.content.test_check import _copy_course, _replace


def _publish(root: Path, tmp_path: Path, code: str = "TCCD") -> None:
    module = catalog.create_module(code, "Tài chính công đoàn", topic="finance", hours=4)
    source = package_source(load_course(root), registry_for(COURSES_DIR / code))
    catalog.import_package(module, build_package(source, "2004-4th", tmp_path / "p.zip"), publish=True)
    db.session.commit()


def test_lecturer_page_counts_questions_citing_a_superseded_decree(client, auth, tree, tmp_path):
    """Two questions resting on Decree 12/2022 (superseded 10/09/2026) show as "2 câu hỏi …"."""
    root = _copy_course(tmp_path)
    _replace(root / "lessons" / "04-cong-khai-kiem-toan-va-xu-phat.md",
             'sources = ["nd_283_2026:Điều 42 khoản 1", "nd_283_2026:Điều 7"]', 'sources = ["nd_12_2022:Điều 38"]')
    _replace(root / "questions.toml", 'sources = ["nd_283_2026:Điều 42"]\n', 'sources = ["nd_12_2022:Điều 38"]\n')
    _publish(root, tmp_path)
    auth.login("gv.hanoi")
    body = client.get("/modules/TCCD").get_data(as_text=True)
    assert 'id="legal-currency"' in body
    assert "2 câu hỏi dẫn văn bản đã hết hiệu lực" in body
    assert "câu hỏi TC-P04-3: dẫn 12/2022/NĐ-CP (Điều 38), hết hiệu lực từ 10/09/2026" in body


def test_shipped_module_page_is_current_and_foreign_packages_show_nothing(client, auth, tree, tmp_path):
    seed_modules(lambda _m: None)
    db.session.commit()
    auth.login("gv.hanoi")
    body = client.get("/modules/TCCD").get_data(as_text=True)
    assert "Nội dung dẫn văn bản còn hiệu lực đến hôm nay." in body
    from tests.lms.catalog.helpers import built_package

    module = catalog.create_module("KHAC", "Gói tải lên", topic="other", hours=1)
    catalog.import_package(module, built_package(tmp_path), publish=True)
    db.session.commit()
    assert 'id="legal-currency"' not in client.get("/modules/KHAC").get_data(as_text=True)


def test_learners_see_the_review_date_and_sources_under_each_module(client, auth, tree):
    seed_modules(lambda _m: None)
    db.session.commit()
    auth.login("hv.nhung")
    body = client.get("/player/").get_data(as_text=True)
    assert "Cập nhật theo văn bản pháp luật có hiệu lực đến ngày 04/12/2026" in body
    assert "283/2026/NĐ-CP" in body and "161/2026/NĐ-CP" in body
