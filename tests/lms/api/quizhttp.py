"""Taking a quiz over HTTP in a launched session (``requests``), as the learner's browser would."""

from __future__ import annotations

import re

import requests
from sqlalchemy import select

from lms.assessments.models import AttemptItem
from lms.core.db import db


def csrf(page: str) -> str:
    """The page's CSRF token (the form's hidden field, else the meta tag)."""
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def take_quiz(session: requests.Session, base: str, frame_url: str, right: int) -> requests.Response:
    """Open the quiz frame, start an attempt, answer ``right`` questions with the right choice (the rest
    wrong) and submit through the page's form; returns the result page."""
    frame = session.get(frame_url)
    assert frame.status_code == 200, frame.text[:500]
    start_path = re.search(r'<iframe id="lms-quiz" src="([^"]+)"', frame.text).group(1)
    start_page = session.get(base + start_path)
    assert start_page.status_code == 200, start_page.text[:500]
    action = re.search(r'<form method="post" action="([^"]+/start)"', start_page.text).group(1)
    started = session.post(base + action, data={"csrf_token": csrf(start_page.text)},
                           headers={"Referer": base + start_path}, allow_redirects=False)
    assert started.status_code == 302, started.text[:500]
    take_path = started.headers["Location"].replace(base, "")
    take = session.get(base + take_path)
    assert take.status_code == 200, take.text[:500]
    attempt_id = int(re.search(r"/quiz/attempt/(\d+)", take_path).group(1))
    db.session.expire_all()
    items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                               .order_by(AttemptItem.position)).all()
    form: list[tuple[str, str]] = [("csrf_token", csrf(take.text)), ("go", "submit"), ("page", "1"),
                                   ("submit_token", re.search(r'name="submit_token" value="([^"]+)"',
                                                              take.text).group(1))]
    for n, item in enumerate(items):
        by_index = {index: cid for cid, index in item.choice_map}
        form += [("positions", str(item.position)), (f"q{item.position}", by_index[0 if n < right else 1])]
    path = re.search(r'id="quiz-form" action="([^"]+)"', take.text).group(1)
    submitted = session.post(base + path, data=form, headers={"Referer": base + take_path})
    assert submitted.status_code == 200, submitted.text[:800]
    assert "/result" in submitted.url
    return submitted
