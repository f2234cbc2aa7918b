"""``lms reminders send``: email cadres who are due soon or overdue, and a digest to their managers.

At most one message per person, day and kind: a :class:`ReminderLog` row is inserted (unique on
recipient, day, kind) in a savepoint together with the sending, so running twice sends nothing new
and a failed send leaves no log row (it is retried by the next run).
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User, UserRole
from lms.core import mail
from lms.core.db import db
from lms.core.roles import Role
from lms.org.models import Cadre, OrgUnit
from lms.reports.models import ReminderLog

#: states that trigger a reminder
REMIND_STATES = ("due_soon", "overdue", "expired")
STATE_VI = {"due_soon": "sắp đến hạn", "overdue": "quá hạn", "expired": "hết hiệu lực"}
#: names listed in one digest before "… và N người khác"
DIGEST_NAMES = 200


@dataclass(frozen=True)
class Item:
    """One requirement a cadre must act on."""

    cadre_id: int
    requirement_id: int
    state: str
    due_on: date | None


@dataclass
class Outcome:
    """What a run did."""

    sent: int = 0
    skipped: int = 0
    no_email: int = 0
    failed: list[str] = field(default_factory=list)


def due_items(as_of: date) -> list[Item]:
    """Due-soon, overdue and expired items from the compliance engine (none while no standard is in force:
    the engine's "as of" statement has no requirement to select from)."""
    from lms.standards.plans import cached_requirements
    from lms.standards.services import due_and_overdue

    if not cached_requirements(as_of):
        return []
    items = []
    for row in due_and_overdue(as_of):
        cadre_id, requirement_id, state, due_on = tuple(row)[:4]
        state = getattr(state, "value", state)
        if state in REMIND_STATES:
            items.append(Item(int(cadre_id), int(requirement_id), str(state), due_on))
    return items


def requirement_names(ids: Iterable[int]) -> dict[int, str]:
    """Vietnamese names of requirements by id."""
    from lms.standards.models import Requirement

    ids = sorted(set(ids))
    if not ids:
        return {}
    return {r.id: r.name("vi") for r in db.session.scalars(select(Requirement).where(Requirement.id.in_(ids)))}


def _claim_and_send(recipient: str, kind: str, day: date, email: str, items: int, send: Callable[[], None],
                    outcome: Outcome) -> None:
    """Insert the log row and send in one savepoint; an existing row means it was already sent."""
    try:
        with db.session.begin_nested():
            db.session.add(ReminderLog(recipient=recipient, day=day, kind=kind, email=email, items=items))
            db.session.flush()
            send()
    except IntegrityError:
        outcome.skipped += 1
        return
    except (OSError, smtplib.SMTPException) as exc:
        outcome.failed.append(f"{recipient} <{email}>: {exc}")
        return
    outcome.sent += 1


def module_links(requirement_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """Per requirement: (module title, link to study it) for the modules that satisfy it."""
    from flask import current_app

    from lms.catalog.models import Module
    from lms.standards.models import Requirement

    ids = sorted(set(requirement_ids))
    reqs = list(db.session.scalars(select(Requirement).where(Requirement.id.in_(ids)))) if ids else []
    codes = {c for r in reqs for alt in r.satisfied_by for c in alt.get("modules", [])}
    titles = dict(db.session.execute(select(Module.code, Module.title_vi).where(Module.code.in_(codes))).all()
                  ) if codes else {}
    base = current_app.config["LMS_BASE_URL"].rstrip("/")
    return {r.id: [(titles[c], f"{base}/player/?module={c}") for alt in r.satisfied_by
                   for c in alt.get("modules", []) if c in titles] for r in reqs}


def cadre_body(cadre: Cadre, lines: list[str], as_of: date, links: list[tuple[str, str]] | None = None) -> str:
    """The Vietnamese text of a cadre's reminder (with a link to each module that satisfies an item)."""
    listed = "\n".join(f"  - {line}" for line in lines)
    study = "".join(f"  - {title}: {url}\n" for title, url in dict.fromkeys(links or []))
    return (
        f"Kính gửi đồng chí {cadre.full_name},\n\n"
        f"Tính đến ngày {as_of:%d/%m/%Y}, theo chuẩn đào tạo cán bộ công đoàn, đồng chí còn các yêu cầu sau "
        f"cần hoàn thành:\n{listed}\n\n"
        + (f"Học trực tuyến ngay:\n{study}\n" if study else "")
        + "Đồng chí vui lòng đăng nhập hệ thống đào tạo trực tuyến để học và hoàn thành các học phần trên, "
        "hoặc liên hệ ban tổ chức công đoàn cấp trên để đăng ký lớp tập huấn.\n\n"
        "Trân trọng,\nHệ thống đào tạo cán bộ công đoàn\n\n"
        "(Thư tự động, vui lòng không trả lời. Mỗi ngày đồng chí nhận tối đa một thư nhắc.)\n"
    )


def _item_line(item: Item, names: dict[int, str]) -> str:
    due = f", hạn {item.due_on:%d/%m/%Y}" if item.due_on else ""
    return f"{names.get(item.requirement_id, item.requirement_id)}: {STATE_VI[item.state]}{due}"


def send_cadre_reminders(items: list[Item], as_of: date, outcome: Outcome, after_each=None) -> None:
    """One message per cadre with an email address, listing their items."""
    by_cadre: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        by_cadre[item.cadre_id].append(item)
    names = requirement_names(i.requirement_id for i in items)
    links = module_links(i.requirement_id for i in items)
    for cadre in db.session.scalars(select(Cadre).where(Cadre.id.in_(sorted(by_cadre)), Cadre.active)
                                    .order_by(Cadre.id)):
        if not cadre.email:
            outcome.no_email += 1
            continue
        mine = sorted(by_cadre[cadre.id], key=lambda i: (i.due_on or as_of, i.requirement_id))
        lines = [_item_line(i, names) for i in mine]
        body = cadre_body(cadre, lines, as_of, [link for i in mine for link in links.get(i.requirement_id, [])])
        message = mail.build_message(cadre.email, "Nhắc hoàn thành chương trình đào tạo cán bộ công đoàn",
                                     body, to_name=cadre.full_name)
        _claim_and_send(f"cadre:{cadre.id}", "cadre", as_of, cadre.email, len(mine),
                        lambda m=message: mail.send(m), outcome)
        if after_each:
            after_each()


def managers() -> list[User]:
    """Active users holding the manager role with a scope unit and an email address."""
    query = (select(User).join(UserRole).where(UserRole.role == Role.manager.value, User.active,
                                               User.scope_org_unit_id.is_not(None), User.email.is_not(None))
             .order_by(User.id))
    return [u for u in db.session.scalars(query).unique() if u.email]


def digest_body(user: User, unit: OrgUnit, rows: list[tuple[Cadre, Item]], names: dict[int, str],
                as_of: date) -> str:
    """The Vietnamese text of a manager's digest."""
    overdue = sum(1 for _, i in rows if i.state in ("overdue", "expired"))
    due_soon = sum(1 for _, i in rows if i.state == "due_soon")
    people = sorted({c.id: c for c, _ in rows}.values(), key=lambda c: (c.org_unit.name, c.full_name))
    lines = []
    for cadre, item in sorted(rows, key=lambda r: (r[0].org_unit.name, r[0].full_name, r[1].requirement_id)):
        if len(lines) >= DIGEST_NAMES:
            lines.append(f"  … và {len(rows) - DIGEST_NAMES} mục khác (xem báo cáo trên hệ thống).")
            break
        lines.append(f"  - {cadre.full_name} ({cadre.org_unit.name}) — {_item_line(item, names)}")
    return (
        f"Kính gửi đồng chí {user.full_name or user.login},\n\n"
        f"Tình hình thực hiện chuẩn đào tạo của {unit.name} và các đơn vị trực thuộc, "
        f"tính đến ngày {as_of:%d/%m/%Y}:\n"
        f"  - Số cán bộ cần nhắc: {len(people)}\n"
        f"  - Số yêu cầu quá hạn / hết hiệu lực: {overdue}\n"
        f"  - Số yêu cầu sắp đến hạn: {due_soon}\n\n"
        f"Danh sách:\n" + "\n".join(lines) + "\n\n"
        "Đồng chí có thể xem chi tiết và xuất báo cáo Excel/PDF tại mục Báo cáo của hệ thống.\n\n"
        "Trân trọng,\nHệ thống đào tạo cán bộ công đoàn\n"
    )


def send_digests(items: list[Item], as_of: date, outcome: Outcome, after_each=None) -> None:
    """One digest per manager whose subtree has items."""
    if not items:
        return
    cadres = {c.id: c for c in db.session.scalars(
        select(Cadre).where(Cadre.id.in_(sorted({i.cadre_id for i in items})), Cadre.active))}
    names = requirement_names(i.requirement_id for i in items)
    for user in managers():
        unit = user.scope_org_unit
        rows = [(cadres[i.cadre_id], i) for i in items if i.cadre_id in cadres
                and unit.path <= cadres[i.cadre_id].org_unit.path < unit.path_end]
        if not rows:
            continue
        subject = f"Tổng hợp cán bộ sắp đến hạn, quá hạn đào tạo — {unit.name}"
        message = mail.build_message(user.email, subject, digest_body(user, unit, rows, names, as_of),
                                     to_name=user.full_name)
        _claim_and_send(f"user:{user.id}", "digest", as_of, user.email, len(rows),
                        lambda m=message: mail.send(m), outcome)
        if after_each:
            after_each()


def send_all(as_of: date, after_each=None) -> Outcome:
    """Send every reminder and digest due on ``as_of``."""
    outcome = Outcome()
    items = due_items(as_of)
    send_cadre_reminders(items, as_of, outcome, after_each)
    send_digests(items, as_of, outcome, after_each)
    return outcome


# --------------------------------------------------------------------------- from the dashboard: one unit

UNIT_STATES = {"overdue": ("overdue", "expired"), "due_soon": ("due_soon",)}


def unit_items(unit: OrgUnit, which: str) -> list[Item]:
    """The overdue (or due-soon) items of the cadres of ``unit``'s subtree, from the stored statuses."""
    from lms.standards.models import ComplianceStatus as S

    rows = db.session.execute(select(S.cadre_id, S.requirement_id, S.state, S.due_on, S.valid_until, S.satisfied_on)
                              .where(S.org_path >= unit.path, S.org_path < unit.path_end,
                                     S.state.in_(UNIT_STATES[which])).order_by(S.cadre_id, S.requirement_id))
    return [Item(c, r, st, valid if sat is not None else due) for c, r, st, due, valid, sat in rows]


@dataclass
class Preview:
    """What a reminder run for a unit would do: how many cadres, how many can be mailed, one sample mail."""

    cadres: int
    with_email: int
    sample_to: str = ""
    sample: str = ""


def preview_unit(unit: OrgUnit, which: str, as_of: date) -> Preview:
    """Count and show one sample message, without sending anything."""
    items = unit_items(unit, which)
    ids = sorted({i.cadre_id for i in items})
    cadres = list(db.session.scalars(select(Cadre).where(Cadre.id.in_(ids), Cadre.active).order_by(Cadre.id))) if ids else []
    mailed = [c for c in cadres if c.email]
    out = Preview(len(cadres), len(mailed))
    if mailed:
        first = mailed[0]
        mine = [i for i in items if i.cadre_id == first.id]
        names, links = requirement_names(i.requirement_id for i in mine), module_links(i.requirement_id for i in mine)
        out.sample_to = f"{first.full_name} <{first.email}>"
        out.sample = cadre_body(first, [_item_line(i, names) for i in mine], as_of,
                                [link for i in mine for link in links.get(i.requirement_id, [])])
    return out


def send_unit(unit: OrgUnit, which: str, as_of: date) -> Outcome:
    """Send the unit's overdue (or due-soon) cadres their reminder now; each one logged (once a day)."""
    outcome = Outcome()
    send_cadre_reminders(unit_items(unit, which), as_of, outcome)
    return outcome
