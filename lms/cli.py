"""The ``lms`` command: Flask's commands (run, shell, db …) plus the features' commands.

Each feature may have ``lms/<feature>/cli.py`` exposing ``commands`` (top-level commands or groups)
and/or ``package_commands`` (sub-commands of ``lms packages``).

Start-up is kept short: ``lms``/``lms --help`` print :data:`COMMANDS` and ``lms packages inspect``
runs, without building the app or importing Flask, SQLAlchemy or the features (a test keeps the table
equal to the app's commands). Every other command builds the app as before (:func:`app_cli`).
"""

from __future__ import annotations

import importlib
import json
import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click
    from flask import Flask

#: the top-level commands and their one-line help, as ``lms --help`` lists them
COMMANDS: dict[str, str] = {
    "certificates": "Giấy chứng nhận / certificates.",
    "content": "Nội dung học phần gửi kèm / shipped course content (course_packages/).",
    "db": "Perform database migrations.",
    "demo": "Seed demo data (safe to run again) and print one login per role.",
    "lti": "LTI 1.3 tool: keys and grade passback.",
    "org": "Đơn vị và cán bộ: nhập từ Excel/CSV.",
    "packages": "SCORM packages: inspect, import, build.",
    "quiz": "Question banks and quizzes: import and export questions.",
    "records": "Training records: historical import.",
    "requeue-jobs": "Hand again to Redis the jobs left queued (Redis was down) or running (their...",
    "reminders": "Nhắc hạn đào tạo qua email / training reminders.",
    "report": "Báo cáo / reports: xuất Excel, CSV, PDF.",
    "routes": "Show the routes for the app.",
    "run": "Run a development server.",
    "scheduler": "Enqueue the periodic jobs (reminders, daily recompute) on RQ's cron schedule.",
    "shell": "Run a shell in the app context.",
    "standards": "Training standards and the compliance engine.",
    "users": "Tài khoản người dùng.",
    "xapi": "xAPI statements to the configured LRS (docs/xapi.md).",
    "worker": "Run background jobs from Redis (LMS_JOBS_REDIS_URL or LMS_REDIS_URL).",
}

HELP = """Usage: lms [OPTIONS] COMMAND [ARGS]...

  Union cadre LMS — quản lý đào tạo cán bộ công đoàn.

Options:
  -e, --env-file FILE   Load environment variables from this file.
  -A, --app IMPORT      The Flask application or factory function to load.
  --debug / --no-debug  Set debug mode.
  --help                Show this message and exit.

Commands:
"""


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``lms`` script."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args in (["--help"], ["-h"]):
        sys.stdout.write(HELP + "".join(f"  {name:<13} {text}\n" for name, text in COMMANDS.items()))
        return
    if args[:2] == ["packages", "inspect"]:
        inspect_command().main(args=args[2:], prog_name="lms packages inspect")
        return
    app_cli().main(args=args, prog_name="lms")


@cache
def inspect_command() -> click.Command:
    """``lms packages inspect``: needs only the scorm package (no app, no database)."""
    import click

    @click.command("inspect")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--json", "as_json", is_flag=True, help="Print the JSON summary only.")
    def inspect_package(file: str, as_json: bool) -> None:
        """Validate a SCORM zip. Exit 0 with a JSON summary, or 2 with the report's errors."""
        _inspect(file, as_json)

    return inspect_package


def _inspect(file: str, as_json: bool) -> None:
    import click

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


def _create_app():
    from lms import create_app

    return create_app()


def app_cli() -> click.Group:
    """The full command line: Flask's group with the app built (made on first use)."""
    import click
    from flask.cli import FlaskGroup

    @click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False, load_dotenv=False)
    def lms() -> None:
        """Union cadre LMS — quản lý đào tạo cán bộ công đoàn."""

    return lms


FEATURE_CLI_MODULES = ["accounts", "org", "content", "catalog", "assessments", "records", "standards", "reports", "api"]


def register(app: Flask) -> None:
    """Attach the features' commands to the app's CLI (``lms --help`` lists them)."""
    from flask.cli import AppGroup

    packages = app.cli.commands.get("packages") or AppGroup("packages", help=COMMANDS["packages"])
    if "inspect" not in packages.commands:
        packages.add_command(inspect_command())
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
