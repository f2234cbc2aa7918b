"""Test data factories (``gen_<model>``), CTFd-style, as pytest fixtures and plain functions."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from lms.accounts.models import User
from lms.accounts.services import create_user
from lms.core.db import db
from lms.core.i18n import fold
from lms.core.roles import Role
from lms.org.models import Cadre, OrgUnit
from lms.org.services import create_unit

_seq = itertools.count(1)
PASSWORD = "matkhau-123"


def gen_unit(code: str | None = None, name: str | None = None, level: str = "CĐCS",
             parent: OrgUnit | None = None) -> OrgUnit:
    """An org unit (under ``parent``)."""
    n = next(_seq)
    return create_unit(code or f"U{n:05d}", name or f"Công đoàn cơ sở {n}", level, parent)


def gen_cadre(unit: OrgUnit, code: str | None = None, full_name: str | None = None, **fields) -> Cadre:
    """A cadre in ``unit``; fields override the defaults."""
    n = next(_seq)
    full_name = full_name or f"Nguyễn Văn Thử {n}"
    values = {
        "gender": "male", "position": "executive_member", "employment": "part_time",
        "is_key": False, "appointed_on": date(2024, 1, 15), "active": True,
    }
    values.update(fields)
    cadre = Cadre(code=code or f"CB{n:06d}", full_name=full_name, name_search=fold(full_name),
                  org_unit=unit, **values)
    db.session.add(cadre)
    db.session.flush()
    return cadre


def gen_user(login: str | None = None, roles=(Role.learner,), *, scope: OrgUnit | None = None,
             cadre: Cadre | None = None, password: str = PASSWORD, **kw) -> User:
    """A user with ``roles``, optionally scoped to a unit or linked to a cadre."""
    n = next(_seq)
    return create_user(login or f"user{n}", password, set(roles),
                       scope_org_unit_id=scope.id if scope else None,
                       cadre_id=cadre.id if cadre else None, full_name=kw.pop("full_name", f"Người dùng {n}"), **kw)


@pytest.fixture
def tree(app):
    """A small national tree: TLĐ → Hà Nội, Cao Bằng → upper-level → grassroots, with cadres and users.

    Returns a dict of the objects by name; committed so the test client sees them.
    """
    tld = gen_unit("TLD", "Tổng Liên đoàn Lao động Việt Nam", "Tổng Liên đoàn")
    hn = gen_unit("HN", "LĐLĐ thành phố Hà Nội", "LĐLĐ tỉnh", tld)
    cb = gen_unit("CB", "LĐLĐ tỉnh Cao Bằng", "LĐLĐ tỉnh", tld)
    hn_up = gen_unit("HN-KCN", "Công đoàn các KCN-CX Hà Nội", "CĐ cấp trên cơ sở", hn)
    hn_base = gen_unit("HN-CDCS-1", "Công đoàn Công ty May Thăng Long", "CĐCS", hn_up)
    cb_base = gen_unit("CB-CDCS-1", "Công đoàn Trường THPT Cao Bình", "CĐCS", cb)
    hn_cadre = gen_cadre(hn_base, "HN0001", "Trần Thị Hồng Nhung", gender="female", position="chair", is_key=True)
    cb_cadre = gen_cadre(cb_base, "CB0001", "Nông Văn Dũng", position="vice_chair", is_key=True)
    admin = gen_user("admin", (Role.admin,))
    hn_manager = gen_user("ql.hanoi", (Role.manager,), scope=hn)
    cb_manager = gen_user("ql.caobang", (Role.manager,), scope=cb)
    hn_learner = gen_user("hv.nhung", (Role.learner,), cadre=hn_cadre)
    lecturer = gen_user("gv.hanoi", (Role.lecturer,), scope=hn)
    db.session.commit()
    return {
        "tld": tld, "hn": hn, "cb": cb, "hn_up": hn_up, "hn_base": hn_base, "cb_base": cb_base,
        "hn_cadre": hn_cadre, "cb_cadre": cb_cadre, "admin": admin, "hn_manager": hn_manager,
        "cb_manager": cb_manager, "hn_learner": hn_learner, "lecturer": lecturer,
    }
