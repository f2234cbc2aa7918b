"""Translations: every UI string has English; pages follow the chosen language, WTForms' messages too."""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_wtf import FlaskForm
from wtforms import DecimalField, StringField
from wtforms.validators import DataRequired, Length

from lms.core import forms as core_forms
from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
EN_PO = ROOT / "lms/translations/en/LC_MESSAGES/messages.po"
VI_WTFORMS_PO = ROOT / "lms/translations/vi/LC_MESSAGES/wtforms.po"
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%%|%[sdif]|\{[A-Za-z_]\w*\}")
#: letters that only Vietnamese text has (ASCII English has none)
VIETNAMESE = re.compile(r"[À-ÃÈ-ÊÌÍÒ-ÕÙÚÝà-ãè-êìíò-õùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]")


def _i18n_script():
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts/i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path, **kw):
    with path.open("rb") as fh:
        return read_po(fh, **kw)


def _ids(catalog) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def _placeholders_match(message) -> bool:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    wanted = Counter(PLACEHOLDER.findall(ids[0]))
    return all(Counter(PLACEHOLDER.findall(s)) == wanted for s in strings)


@pytest.fixture(scope="module")
def en_catalog():
    return _read(EN_PO)


def test_every_extracted_msgid_has_an_english_translation(tmp_path, en_catalog):
    """A fresh extraction of the code base (templates, Python, field labels) is fully covered by the .po."""
    pot = tmp_path / "messages.pot"
    _i18n_script().extract(pot)
    extracted = _ids(_read(pot))
    assert len(extracted) > 500  # the extraction really ran over the code base
    translated = {m.id for m in en_catalog if m.id and m.string}
    assert sorted(extracted - translated) == [], "run scripts/i18n.py and translate the strings it lists"


def test_english_translations_keep_placeholders(en_catalog):
    bad = [(m.id, m.string) for m in en_catalog if m.id and m.string and not _placeholders_match(m)]
    assert bad == []


def test_english_translations_contain_no_vietnamese(en_catalog):
    """Translations are English (column names a user types in an import file are quoted on purpose)."""
    bad = [(m.id, m.string) for m in en_catalog if m.id and m.string and VIETNAMESE.search(re.sub(r"“[^”]*”", "", m.string))]
    assert bad == []


def test_wtforms_vietnamese_catalog_covers_the_installed_wtforms():
    catalog = _read(VI_WTFORMS_PO, locale="vi", domain="wtforms")
    expected = _ids(_i18n_script().wtforms_template())
    assert "This field is required." in expected and "Not a valid decimal value." in expected
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id and all(
        m.string if isinstance(m.string, tuple) else (m.string,))}
    assert sorted(expected - translated) == []
    assert [m.id for m in catalog if m.id and not _placeholders_match(m)] == []


class _Sample(FlaskForm):
    name = StringField("Tên", validators=[DataRequired(), Length(max=3)])
    amount = DecimalField("Số")


@pytest.mark.parametrize("lang,required,too_long,decimal", [
    ("vi", "Trường này là bắt buộc.", "Trường này không được dài quá 3 ký tự.", "Giá trị phải là số thập phân."),
    ("en", "This field is required.", "Field cannot be longer than 3 characters.", "Not a valid decimal value."),
])
def test_wtforms_messages_follow_the_ui_language(app, lang, required, too_long, decimal):
    for data, field, message in [({"name": "", "amount": "1"}, "name", required),
                                 ({"name": "abcd", "amount": "x"}, "name", too_long),
                                 ({"name": "abc", "amount": "x"}, "amount", decimal)]:
        with app.test_request_context(f"/?lang={lang}", method="POST", data=data):
            app.preprocess_request()
            form = _Sample(meta={"csrf": False})
            assert not form.validate()
            assert getattr(form, field).errors == [message]


def test_wtforms_messages_without_i18n_stay_wtforms_defaults(app):
    app.config["WTF_I18N_ENABLED"] = False
    try:
        with app.test_request_context("/", method="POST", data={"name": ""}):
            app.preprocess_request()
            form = _Sample(meta={"csrf": False})
            assert not form.validate()
            assert form.name.errors == ["This field is required."]
    finally:
        app.config["WTF_I18N_ENABLED"] = True


def test_wtforms_catalog_outside_a_request_is_vietnamese(app):
    assert core_forms.translations.gettext("This field is required.") == "Trường này là bắt buộc."
    assert core_forms.catalog_for("en").gettext("This field is required.") == "This field is required."


def _switch(client, lang: str, path: str = "/") -> None:
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    client.post(f"/language/{lang}", data={"csrf_token": token, "next": path})


def test_missing_required_field_on_a_real_form_in_both_languages(client, auth, tree):
    auth.login("gv.hanoi")
    page = client.get("/records/classes/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "title": "", "starts_on": "2026-11-20", "ends_on": "2026-11-21",
            "hours": "8", "org_unit": "HN"}
    response = client.post("/records/classes/new", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Trường này là bắt buộc." in body and "This field is required." not in body
    _switch(client, "en", "/records/classes/new")
    response = client.post("/records/classes/new", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "This field is required." in body and "Trường này là bắt buộc." not in body


class _Text(HTMLParser):
    """The text nodes of a page, and the text of its navbar, title and attributes shown to users."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.nav: list[str] = []
        self._nav_depth = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self._nav_depth += 1
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.nodes.append(value.strip())
                if self._nav_depth:
                    self.nav.append(value)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav_depth -= 1
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._skip or not data.strip():
            return
        self.nodes.append(data.strip())
        if self._nav_depth:
            self.nav.append(data)


def _assert_english(html: str, en_catalog, allowed: tuple[str, ...] = ()) -> None:
    """No UI msgid shows untranslated, and the navbar holds no Vietnamese (except data in ``allowed``)."""
    parser = _Text()
    parser.feed(html)
    untranslated = {m.id for m in en_catalog if m.id and m.string and m.string != m.id}
    leftovers = [text for text in parser.nodes if text in untranslated]
    assert leftovers == [], f"untranslated UI strings: {leftovers}"
    nav = " ".join(parser.nav)
    for text in ("Tiếng Việt", *allowed):  # the language's own name; the user's name
        nav = nav.replace(text, "")
    assert not VIETNAMESE.search(nav), nav
    assert 'lang="en"' in html.split(">", 2)[1]


def test_login_page_in_english_after_the_switch(client, en_catalog):
    _switch(client, "en", "/login")
    html = client.get("/login").get_data(as_text=True)
    assert "Log in" in html and "Password" in html and "Remember me" in html
    _assert_english(html, en_catalog)


@pytest.mark.parametrize("login", ["admin", "ql.hanoi", "gv.hanoi", "hv.nhung"])
def test_home_page_of_each_role_in_english_after_the_switch(client, auth, tree, en_catalog, login):
    auth.login(login)
    _switch(client, "en")
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Log out" in html and "Đăng xuất" not in html
    user = next(u for u in tree.values() if getattr(u, "login", None) == login)
    _assert_english(html, en_catalog, allowed=(user.full_name,))


def test_home_page_in_vietnamese_by_default(client, auth, tree, en_catalog):
    auth.login("ql.hanoi")
    html = client.get("/").get_data(as_text=True)
    assert "Đăng xuất" in html and "Log out" not in html
    with pytest.raises(AssertionError, match="untranslated UI strings"):  # the check does see Vietnamese UI text
        _assert_english(html, en_catalog)
