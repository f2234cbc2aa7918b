"""Invitation, reset and activation-code secrets: hashed, single-use, expiring; reset without enumeration;
an admin's reset; the scope of an invitation run; the password policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts import invitations, tokens
from lms.accounts.models import AccountToken, User
from lms.accounts.provision import ensure_accounts
from lms.accounts.services import check_password_policy, verify_password
from lms.core import jobs
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.jobs_models import Job
from tests.factories import gen_cadre
from tests.lms.accounts.helpers import clear_outbox, outbox

NEW = "mat-khau-moi-9"


BASE = "http://lms.test/"


def _commit_and_run_jobs() -> None:
    db.session.commit()
    jobs.drain()


@pytest.fixture
def learner(tree) -> User:
    cadre = gen_cadre(tree["hn_base"], "HN0002", "Lê Thị Lan", email="lan@example.vn")
    ensure_accounts([cadre])
    return db.session.scalar(select(User).where(User.cadre_id == cadre.id))


def test_a_link_is_stored_hashed_and_works_once(learner):
    secret = tokens.issue(learner, tokens.INVITE)
    stored = db.session.scalar(select(AccountToken))
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    assert tokens.redeem_link(secret, NEW) is learner
    assert verify_password(learner, NEW) and not learner.must_change_password
    with pytest.raises(UserError) as used:
        tokens.redeem_link(secret, "another-pass-1")
    assert used.value.status == 410


def test_a_forged_link_is_404_and_an_expired_one_410(learner):
    with pytest.raises(UserError) as forged:
        tokens.find_link("not-a-token")
    assert forged.value.status == 404
    secret = tokens.issue(learner, tokens.RESET)
    db.session.scalar(select(AccountToken)).expires_at = tokens.utcnow() - timedelta(seconds=1)
    with pytest.raises(UserError) as expired:
        tokens.find_link(secret)
    assert expired.value.status == 410


def test_a_new_secret_voids_the_older_one_and_using_one_voids_all(learner):
    first = tokens.issue(learner, tokens.INVITE)
    second = tokens.issue(learner, tokens.INVITE)
    with pytest.raises(UserError):
        tokens.find_link(first)
    code = tokens.issue(learner, tokens.CODE)
    tokens.redeem_link(second, NEW)
    assert not tokens.redeem_code(learner, code, "other-pass-12")


def test_a_link_refuses_a_weak_password_and_stays_usable(learner):
    secret = tokens.issue(learner, tokens.INVITE)
    with pytest.raises(UserError):
        tokens.redeem_link(secret, "short")
    assert tokens.find_link(secret).used_at is None


def test_activation_code_single_use_expiry_and_typing_tolerance(learner):
    code = tokens.issue(learner, tokens.CODE)
    assert len(tokens.normalize_code(code)) == tokens.CODE_LENGTH
    assert not tokens.redeem_code(learner, "AAAAA-AAAAA", NEW)
    assert not tokens.redeem_code(None, code, NEW)
    assert tokens.redeem_code(learner, f" {code.lower().replace('-', ' ')} ", NEW)
    assert verify_password(learner, NEW)
    assert not tokens.redeem_code(learner, code, "other-pass-12")
    again = tokens.issue(learner, tokens.CODE)
    db.session.scalar(select(AccountToken).where(AccountToken.used_at.is_(None))).expires_at = (
        tokens.utcnow() - timedelta(minutes=1))
    assert not tokens.redeem_code(learner, again, "other-pass-12")


def test_a_code_of_one_account_does_not_open_another(tree, learner):
    code = tokens.issue(learner, tokens.CODE)
    assert not tokens.redeem_code(tree["hn_learner"], code, NEW)


def test_reset_mail_goes_only_to_an_existing_address_and_not_twice_in_a_row(learner):
    clear_outbox()
    invitations.request_reset("nobody@example.vn", BASE)
    _commit_and_run_jobs()
    assert outbox() == []
    invitations.request_reset(" LAN@example.vn ", BASE)
    _commit_and_run_jobs()
    mails = outbox()
    assert len(mails) == 1 and mails[0]["To"].addresses[0].addr_spec == "lan@example.vn"
    assert "hn0002" in mails[0].get_content() and "http://lms.test/password/set/" in mails[0].get_content()
    invitations.request_reset("lan@example.vn", BASE)
    _commit_and_run_jobs()
    assert len(outbox()) == 1


def test_admin_reset_forces_a_change_ends_sessions_and_voids_links(tree, learner):
    secret = tokens.issue(learner, tokens.INVITE)
    version = learner.session_version
    password = invitations.admin_reset(learner, tree["admin"])
    assert learner.must_change_password and learner.session_version > version
    assert verify_password(learner, password)
    with pytest.raises(UserError):
        tokens.find_link(secret)


def test_an_invitation_run_stays_inside_the_admins_scope(tree, learner):
    scoped = tree["admin"]
    scoped.scope_org_unit_id = tree["cb"].id
    db.session.flush()
    with pytest.raises(UserError):
        invitations.select_accounts(scoped, "HN")
    with pytest.raises(UserError):
        invitations.select_accounts(scoped, "", ["HN0002"])
    gen_cadre(tree["cb_base"], "CB0009", "Hoàng Văn Tú")
    selection = invitations.select_accounts(scoped, "CB")
    assert sorted(u.login for u in selection.without_email) == ["cb0001", "cb0009"]


def test_an_invitation_run_mails_those_with_an_address_once(tree, learner):
    clear_outbox()
    selection = invitations.select_accounts(tree["admin"], "HN")
    assert [u.login for u in selection.with_email] == ["hn0002"]
    assert selection.already_active == 1  # hv.nhung has a password
    job = invitations.send_invitations(selection.with_email, tree["admin"], BASE)
    assert outbox() == []  # sent by the job, once the caller commits
    _commit_and_run_jobs()
    job = db.session.get(Job, job.id)
    assert (job.state, job.summary, job.user_id) == ("succeeded", "Đã gửi 1 thư mời.", tree["admin"].id)
    assert "hn0002" in outbox()[0].get_content()


def test_the_password_policy():
    check_password_policy("mat-khau-dai", "hn0001")
    with pytest.raises(UserError):
        check_password_policy("ngan", "hn0001")
    with pytest.raises(UserError) as same:
        check_password_policy(" HN0001LONG ", "hn0001long")
    assert same.value.code == "password_is_login"
