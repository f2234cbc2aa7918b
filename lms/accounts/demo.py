"""Demo logins: one per role (admin, manager scoped to a province, lecturer, learner linked to a cadre).

Created once (a later run never resets a changed password) and printed at the end of ``lms demo``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from lms.accounts.services import create_user, find_user
from lms.core.db import db
from lms.core.roles import Role
from lms.demo import demo_step
from lms.org.demo import LEARNER_CADRE, MANAGER_UNIT
from lms.org.models import Cadre, OrgUnit

DEMO_PASSWORD = "demo-12345"  # noqa: S105 - printed demo login, documented
#: (login, full name, roles, scope unit code, cadre code)
DEMO_USERS = [
    ("admin", "Quản trị hệ thống", (Role.admin,), None, None),
    ("ql.hanoi", "Cán bộ Ban Tổ chức LĐLĐ Hà Nội", (Role.manager,), MANAGER_UNIT, None),
    ("gv.hanoi", "Giảng viên Trường Cán bộ Công đoàn Hà Nội", (Role.lecturer,), MANAGER_UNIT, None),
    ("hocvien", None, (Role.learner,), None, LEARNER_CADRE),
    # learners to whom the other example standards apply: a full-time officer and a safety officer (ATVSV)
    ("hv.chuyentrach", None, (Role.learner,), None, "full_time_officer"),
    ("hv.atvsv", None, (Role.learner,), None, "osh_officer"),
]


def _cadre(ref: str) -> Cadre | None:
    """A cadre by code, or — for a position name — the first active one of that position in the manager's province."""
    found = db.session.scalar(select(Cadre).where(Cadre.code == ref))
    if found is not None:
        return found
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == MANAGER_UNIT))
    if unit is None:
        return None
    return db.session.scalar(select(Cadre).join(Cadre.org_unit).where(
        OrgUnit.path >= unit.path, OrgUnit.path < unit.path_end, Cadre.position == ref, Cadre.active)
        .order_by(Cadre.code))


@demo_step(20, "Tài khoản demo (demo logins)")
def seed_users(echo: Callable[[str], None]) -> None:
    """Create the demo users that do not exist yet."""
    for login, full_name, roles, unit_code, cadre_code in DEMO_USERS:
        if find_user(login) is not None:
            continue
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code)) if unit_code else None
        cadre = _cadre(cadre_code) if cadre_code else None
        create_user(login, DEMO_PASSWORD, set(roles), full_name=full_name or (cadre.full_name if cadre else login),
                    scope_org_unit_id=unit.id if unit else None, cadre_id=cadre.id if cadre else None,
                    email=cadre.email if cadre else None)
        echo(f"  tạo tài khoản {login}")


@demo_step(1000, "Đăng nhập demo (demo logins)")
def print_logins(echo: Callable[[str], None]) -> None:
    """Print one login per role, last, so it is the end of the output."""
    echo(f"  {'vai trò / role':<28} {'tên đăng nhập':<12} mật khẩu / password")
    for login, _name, roles, unit_code, cadre_code in DEMO_USERS:
        role = ", ".join(r.value for r in roles)
        cadre = _cadre(cadre_code) if cadre_code else None
        where = f" (phạm vi {unit_code})" if unit_code else (f" (cán bộ {cadre.code})" if cadre else "")
        echo(f"  {role + where:<28} {login:<12} {DEMO_PASSWORD}")
