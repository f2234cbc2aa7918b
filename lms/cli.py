"""The ``lms`` command: Flask's commands (run, shell, db …) plus the features' commands.

Each feature may have ``lms/<feature>/cli.py`` exposing ``commands`` (top-level commands or groups)
and/or ``package_commands`` (sub-commands of ``lms packages``).
"""

from __future__ import annotations

import importlib
import json
import sys

import click
from flask import Flask
from flask.cli import AppGroup, FlaskGroup


def _create_app():
    from lms import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
def main() -> None:
    """Union cadre LMS — quản lý đào tạo cán bộ công đoàn."""


packages = AppGroup("packages", help="SCORM packages: inspect, import, build.")


@packages.command("inspect")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON summary only.")
def inspect_package(file: str, as_json: bool) -> None:
    """Validate a SCORM zip. Exit 0 with a JSON summary, or 2 with the report's errors."""
    from scorm.package import inspect

    report = inspect(file)
    summary = report.summary()
    if not report.ok:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2), err=not as_json)
        if not as_json:
            for issue in report.errors:
                click.echo(f"LỖI [{issue.code}] {issue.message_vi} / {issue.message_en}", err=True)
        sys.exit(2)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


FEATURE_CLI_MODULES = ["accounts", "org", "content", "catalog", "assessments", "records", "standards", "reports", "api"]


def register(app: Flask) -> None:
    """Attach the features' commands to the app's CLI (``lms --help`` lists them)."""
    for name in FEATURE_CLI_MODULES:
        try:
            module = importlib.import_module(f"lms.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name in (f"lms.{name}", f"lms.{name}.cli"):
                continue
            raise
        for command in getattr(module, "commands", []):
            app.cli.add_command(command)
        for command in getattr(module, "package_commands", []):
            if command.name not in packages.commands:
                packages.add_command(command)
    if "packages" not in app.cli.commands:
        app.cli.add_command(packages)
    from lms import demo

    if "demo" not in app.cli.commands:
        app.cli.add_command(demo.demo_command)
