"""Account mails are sent by jobs after the request's commit (issue #20): the request answers at once; a
mail failure is retried (after a back-off under a worker, at once in eager mode) and shown as the job's
reason; a retry mails only those who did not get theirs; no link is left without its mail."""

from __future__ import annotations

import smtplib
from email.utils import getaddresses

import pytest
from sqlalchemy import func, select

from lms.accounts import invitations
from lms.accounts.models import AccountToken, User
from lms.accounts.provision import ensure_accounts
from lms.core import jobs, mail
from lms.core.db import db
from lms.core.jobs_models import Job
from tests.conftest import csrf_token_from
from tests.factories import gen_cadre
from tests.lms.accounts.helpers import clear_outbox, outbox
from tests.lms.jobs.test_worker import redis_queue  # noqa: F401 - a queue on the real Redis, no worker

BASE = "http://lms.test/"


@pytest.fixture
def pair(tree) -> list[User]:
    """Two accounts without a password, each cadre with an address; the outbox empty."""
    cadres = [gen_cadre(tree["hn_base"], "HN0002", "Lê Thị Lan", email="lan@example.vn"),
              gen_cadre(tree["hn_base"], "HN0003", "Phạm Văn Bình", email="binh@example.vn")]
    ensure_accounts(cadres)
    db.session.commit()
    clear_outbox()
    return list(db.session.scalars(select(User).where(User.cadre_id.in_([c.id for c in cadres])).order_by(User.id)))


@pytest.fixture
def refuse(monkeypatch) -> dict[str, int]:
    """address → how many more times the mail server refuses it (then it accepts)."""
    plan: dict[str, int] = {}
    real = mail.send

    def send(message):
        (_, to), = getaddresses([str(message["To"])])
        if plan.get(to, 0) > 0:
            plan[to] -= 1
            raise smtplib.SMTPRecipientsRefused({to: (450, b"4.2.1 mailbox busy")})
        return real(message)

    monkeypatch.setattr(mail, "send", send)
    return plan


def _to() -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in outbox())


def _tokens(kind: str) -> dict[int, int]:
    rows = db.session.execute(select(AccountToken.user_id, func.count()).where(AccountToken.kind == kind)
                              .group_by(AccountToken.user_id))
    return dict(rows.all())


def test_a_refused_invitation_is_retried_and_the_others_are_not_mailed_twice(app, tree, pair, refuse):
    refuse["binh@example.vn"] = 1
    job = invitations.send_invitations(pair, tree["admin"], BASE)
    db.session.commit()
    assert jobs.drain() == 1
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts, job.summary, job.error) == ("succeeded", 2, "Đã gửi 2 thư mời.", None)
    assert _to() == ["binh@example.vn", "lan@example.vn"]  # one each: Lan's went at the first attempt
    assert _tokens("invite") == {pair[0].id: 1, pair[1].id: 1}


def test_an_invitation_refused_every_time_fails_the_job_with_the_reason(app, client, auth, tree, pair, refuse):
    refuse["binh@example.vn"] = 99
    job = invitations.send_invitations(pair, tree["admin"], BASE)
    db.session.commit()
    jobs.drain()
    job = db.session.get(Job, job.id)
    assert (job.state, job.attempts) == ("failed", job.max_attempts)
    assert job.error.startswith("Gửi thư mời lỗi cho 1 người (đã gửi 1): binh@example.vn: SMTPRecipientsRefused")
    assert _to() == ["lan@example.vn"] and _tokens("invite") == {pair[0].id: 1}  # no link without its mail
    auth.login("admin")
    status = client.get(f"/jobs/{job.id}/status").get_json()
    assert status["state"] == "failed" and status["error"] == job.error


def test_a_refused_reset_mail_is_retried_once_and_not_repeated(app, pair, refuse):
    refuse["lan@example.vn"] = 1
    invitations.request_reset("lan@example.vn", BASE)
    db.session.commit()
    jobs.drain()
    job = db.session.scalar(select(Job))
    assert (job.task, job.state, job.attempts) == ("lms.accounts.mail_jobs:send_reset", "succeeded", 2)
    assert _to() == ["lan@example.vn"] and _tokens("reset") == {pair[0].id: 1}
    jobs.enqueue("lms.accounts.mail_jobs:send_reset", account_id=pair[0].id, base_url=BASE)  # a second job
    db.session.commit()
    jobs.drain()
    assert _to() == ["lan@example.vn"]  # a link was mailed less than RESET_MAIL_INTERVAL ago


def test_the_requests_answer_before_any_mail_is_sent(app, client, auth, tree, pair, redis_queue):  # noqa: F811
    """With a queue on Redis and no worker: the pages answer, the jobs wait, nothing is mailed yet."""
    auth.login("admin")
    token = csrf_token_from(client.get("/admin/users/invitations").get_data(as_text=True))
    page = client.post("/admin/users/invitations", data={"unit_code": "HN", "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đang gửi 2 thư mời." in html
    job = db.session.scalar(select(Job).where(Job.task == "lms.accounts.mail_jobs:send_invitations"))
    assert job.state == "queued" and job.user_id == tree["admin"].id and f'href="/jobs/{job.id}"' in html
    auth.logout()
    token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
    assert client.post("/password/forgot", data={"email": "lan@example.vn", "csrf_token": token}).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.state == "queued")) == 2
    assert outbox() == [] and _tokens("invite") == {}
    for queued in db.session.scalars(select(Job).order_by(Job.id)).all():
        assert jobs.run(queued.id)  # what a worker does
    assert _to() == ["binh@example.vn", "lan@example.vn", "lan@example.vn"]
