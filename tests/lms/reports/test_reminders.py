"""Reminders: Vietnamese emails to due/overdue cadres and a digest to managers, never twice a day."""

import email
from email import policy
from pathlib import Path

from sqlalchemy import func, select

from lms.core.db import db
from lms.reports.models import ReminderLog
from lms.reports.services import today


def _outbox(app) -> list[email.message.EmailMessage]:
    folder = Path(app.config["LMS_MAIL_OUTBOX"])
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]


def _clear(app) -> None:
    folder = Path(app.config["LMS_MAIL_OUTBOX"])
    for f in folder.glob("*.eml") if folder.exists() else []:
        f.unlink()


def test_reminders_sent_once_per_day(app, runner, world):
    _clear(app)
    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0, first.output
    messages = _outbox(app)
    by_to = {m["To"].addresses[0].addr_spec: m for m in messages}
    # Đức is overdue and has an email; Nhung is compliant; Ánh has no email; Dũng is not in a manager's digest here
    assert set(by_to) == {"duc@example.vn", "ql.hanoi@example.vn"}
    duc = by_to["duc@example.vn"].get_content()
    assert "Kính gửi đồng chí Lê Văn Đức" in duc
    assert "Bồi dưỡng an toàn, vệ sinh lao động: quá hạn" in duc
    digest = by_to["ql.hanoi@example.vn"]
    assert "LĐLĐ thành phố Hà Nội" in digest["Subject"]
    text = digest.get_content()
    assert "Số cán bộ cần nhắc: 2" in text and "Lê Văn Đức" in text and "Phạm Thị Ngọc Ánh" in text
    assert "Nông Văn Dũng" not in text  # Cao Bằng is outside the manager's subtree
    assert "Đã gửi 2" in first.output and "không có email 2" in first.output  # Ánh and Dũng

    second = runner.invoke(args=["reminders", "send"])
    assert second.exit_code == 0 and "Đã gửi 0" in second.output and "bỏ qua (đã gửi hôm nay) 2" in second.output
    assert len(_outbox(app)) == 2
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 2
    assert {r.day for r in db.session.scalars(select(ReminderLog))} == {today()}


def test_cao_bang_manager_with_email_gets_own_digest(app, runner, world):
    _clear(app)
    world["cb_manager"].email = "ql.caobang@example.vn"
    db.session.commit()
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    digest = next(m for m in _outbox(app) if m["To"].addresses[0].addr_spec == "ql.caobang@example.vn")
    text = digest.get_content()
    assert "Nông Văn Dũng" in text and "Lê Văn Đức" not in text


def test_failed_send_is_not_logged_and_is_retried(app, runner, world, monkeypatch):
    _clear(app)
    blocker = Path(app.config["LMS_MAIL_OUTBOX"])
    blocker.mkdir(parents=True, exist_ok=True)
    monkeypatch.setitem(app.config, "LMS_MAIL_OUTBOX", str(blocker / "not-a-dir.txt"))
    (blocker / "not-a-dir.txt").write_text("x")
    failed = runner.invoke(args=["reminders", "send"])
    assert failed.exit_code == 1 and "LỖI" in failed.output
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 0
    monkeypatch.setitem(app.config, "LMS_MAIL_OUTBOX", str(blocker))
    (blocker / "not-a-dir.txt").unlink()
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert db.session.scalar(select(func.count(ReminderLog.id))) == 2


def test_periodic_digest_gives_counts_and_a_link_and_is_logged(app, runner, world):
    _clear(app)
    first = runner.invoke(args=["report", "digest"])
    assert first.exit_code == 0, first.output
    [message] = _outbox(app)  # ql.hanoi has an email; Cao Bằng's manager has none
    assert message["To"].addresses[0].addr_spec == "ql.hanoi@example.vn"
    assert "LĐLĐ thành phố Hà Nội" in message["Subject"]
    text = message.get_content()
    # Hà Nội: Nhung meets it; Đức and Ánh are overdue (distinct cadres, as on the home page)
    assert "Cán bộ đạt chuẩn: 1/3" in text and "Cán bộ có yêu cầu quá hạn: 2" in text
    assert f"{app.config['LMS_BASE_URL']}/reports/units/HN/headline" in text
    assert "Công đoàn các KCN-CX Hà Nội" in text  # a child unit below the target
    log = db.session.scalar(select(ReminderLog).where(ReminderLog.kind == "summary"))
    assert (log.recipient, log.email, log.items, log.day) == (
        f"user:{world['hn_manager'].id}", "ql.hanoi@example.vn", 2, today())
    again = runner.invoke(args=["report", "digest"])  # once a day per manager
    assert again.exit_code == 0 and "Đã gửi 0" in again.output and "bỏ qua (đã gửi hôm nay) 1" in again.output
    assert len(_outbox(app)) == 1
    # the daily reminders are a different kind: both go out the same day
    assert runner.invoke(args=["reminders", "send"]).exit_code == 0
    assert db.session.scalar(select(func.count(ReminderLog.id)).where(ReminderLog.kind == "digest")) == 1
