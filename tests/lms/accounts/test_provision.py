"""Accounts for imported cadres: the username rule, linking, never a duplicate, the import's report."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.provision import ensure_accounts, username_for
from lms.accounts.services import UNSET_PASSWORD, has_password, verify_password
from lms.core.db import db
from lms.core.roles import Role
from lms.org.importer import import_file
from tests.factories import gen_cadre, gen_unit, gen_user
from tests.lms.org_import_files import CADRES, good_xlsx


def test_username_rule_is_the_cadre_code_lower_cased():
    assert username_for(" HN-0001 ") == "hn-0001"


def test_accounts_are_created_once_with_the_learner_role_and_no_password(app):
    unit = gen_unit("U1")
    cadres = [gen_cadre(unit, "HN0001", email="Lan@Example.vn"), gen_cadre(unit, "HN0002")]
    result = ensure_accounts(cadres)
    assert result.counts() == {"created": 2, "linked": 0, "existing": 0, "skipped": 0}
    user = db.session.scalar(select(User).where(User.cadre_id == cadres[0].id))
    assert (user.login, user.email, user.full_name) == ("hn0001", "lan@example.vn", cadres[0].full_name)
    assert user.roles == {Role.learner} and user.password_hash == UNSET_PASSWORD and not has_password(user)
    assert not verify_password(user, UNSET_PASSWORD)
    again = ensure_accounts(cadres)
    assert again.counts() == {"created": 0, "linked": 0, "existing": 2, "skipped": 0}
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_an_unlinked_account_with_the_username_is_linked_not_duplicated(app):
    unit = gen_unit("U1")
    cadre = gen_cadre(unit, "HN0001")
    manager = gen_user("hn0001", (Role.manager,), scope=unit)
    result = ensure_accounts([cadre])
    assert (result.linked, result.created) == (1, 0)
    assert manager.cadre_id == cadre.id and manager.roles == {Role.manager, Role.learner}


def test_a_login_held_by_someone_else_gets_a_suffix(app):
    unit = gen_unit("U1")
    other = gen_cadre(unit, "X9")
    gen_user("hn0001", (Role.learner,), cadre=other)  # held by another cadre's account
    gen_user("hn0001-2", (Role.admin,))  # and the first suffix by an admin (never linked)
    cadre = gen_cadre(unit, "HN0001")
    assert ensure_accounts([cadre]).created == 1
    assert db.session.scalar(select(User.login).where(User.cadre_id == cadre.id)) == "hn0001-3"


def test_an_admin_with_the_username_is_never_linked(app):
    unit = gen_unit("U1")
    admin = gen_user("c1", (Role.admin,))
    cadre = gen_cadre(unit, "C1")
    ensure_accounts([cadre])
    assert admin.cadre_id is None
    assert db.session.scalar(select(User.login).where(User.cadre_id == cadre.id)) == "c1-2"


def test_inactive_cadres_get_no_account(app):
    unit = gen_unit("U1")
    assert ensure_accounts([gen_cadre(unit, "OLD", active=False)]).counts()["skipped"] == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_the_xlsx_import_creates_the_accounts_and_says_how_many(app, tmp_path):
    gen_unit("TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn")
    dry = import_file(good_xlsx(tmp_path), dry_run=True)
    assert dry.accounts == {} and db.session.scalar(select(func.count()).select_from(User)) == 0
    report = import_file(good_xlsx(tmp_path))
    assert report.accounts == {"created": len(CADRES), "linked": 0, "existing": 0, "skipped": 0}
    logins = set(db.session.scalars(select(User.login)))
    assert logins == {row[0].lower() for row in CADRES}
    again = import_file(good_xlsx(tmp_path))
    assert again.accounts["existing"] == len(CADRES) and again.accounts["created"] == 0
