"""``lms demo``: an idempotent seed of realistic data, one login per role printed at the end.

Features add their own seed steps with :func:`demo_step`; steps run in order, each idempotent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.core.db import command_transaction

#: (order, name, function(echo) -> None)
_STEPS: list[tuple[int, str, Callable[[Callable[[str], None]], None]]] = []

#: modules that register demo steps when imported
DEMO_MODULES = ["lms.org.demo", "lms.accounts.demo", "lms.content.demo", "lms.assessments.demo",
                "lms.standards.demo", "lms.records.demo", "lms.reports.demo"]


def demo_step(order: int, name: str):
    """Register a seed step (decorator)."""

    def decorator(func):
        if all(existing[1] != name for existing in _STEPS):
            _STEPS.append((order, name, func))
        return func

    return decorator


def _load_steps() -> None:
    for module in DEMO_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name not in (module, module.rsplit(".", 1)[0]):
                raise


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Seed demo data (safe to run again) and print one login per role."""
    _load_steps()
    for _order, name, step in sorted(_STEPS, key=lambda s: s[0]):
        click.echo(f"· {name} …")
        with command_transaction():
            step(click.echo)
    click.echo("Xong. Demo data is ready.")
    # *.localhost reaches this machine with no hosts-file edit; lessons then come from content.<host>, the
    # same site, so offline downloads work (lms.catalog.content, issue #22)
    click.echo(f"Đăng nhập tại / log in at {current_app.config['LMS_BASE_URL'].rstrip('/')}/login")
