"""``lms users create|set-password|list``: manage accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.core.db import command_transaction, db
from lms.core.errors import UserError
from lms.core.roles import Role

users = AppGroup("users", help="Tài khoản người dùng. User accounts.")


def _fail(exc: UserError) -> None:
    click.echo(f"LỖI: {exc.message_vi} / {exc.message_en}", err=True)
    sys.exit(2)


@users.command("create")
@click.argument("login")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="", help="Họ và tên.")
@click.option("--email", default=None)
@click.option("--scope", "scope_code", default=None, help="Mã đơn vị phạm vi (manager, lecturer, scoped admin).")
@click.option("--cadre", "cadre_code", default=None, help="Mã cán bộ (learner).")
def create_command(login: str, roles: tuple[str, ...], password: str, full_name: str, email: str | None,
                   scope_code: str | None, cadre_code: str | None) -> None:
    """Create a user LOGIN with the given roles."""
    from lms.accounts.services import create_user
    from lms.org.models import Cadre, OrgUnit

    try:
        with command_transaction():
            unit = cadre = None
            if scope_code:
                unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == scope_code))
                if unit is None:
                    raise UserError(f"Không có đơn vị “{scope_code}”.", f"No unit “{scope_code}”.")
            if cadre_code:
                cadre = db.session.scalar(select(Cadre).where(Cadre.code == cadre_code))
                if cadre is None:
                    raise UserError(f"Không có cán bộ “{cadre_code}”.", f"No cadre “{cadre_code}”.")
            user = create_user(login, password, {Role(r) for r in roles}, full_name=full_name, email=email,
                               scope_org_unit_id=unit.id if unit else None, cadre_id=cadre.id if cadre else None)
    except UserError as exc:
        _fail(exc)
    click.echo(f"Đã tạo {user.login} ({', '.join(sorted(roles))}).")


@users.command("set-password")
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(login: str, password: str) -> None:
    """Reset LOGIN's password (their other sessions end)."""
    from lms.accounts.services import find_user, set_password

    try:
        with command_transaction():
            user = find_user(login)
            if user is None:
                raise UserError(f"Không có tài khoản “{login}”.", f"No account “{login}”.")
            set_password(user, password)
    except UserError as exc:
        _fail(exc)
    click.echo(f"Đã đặt lại mật khẩu cho {login}.")


commands = [users]
