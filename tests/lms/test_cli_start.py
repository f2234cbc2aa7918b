"""``lms --help`` and ``lms packages inspect`` start without building the app (lms/cli.py); the static
command table stays equal to the app's commands. Timing is in bench/bench_cli_start.py, not here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lms.cli import COMMANDS, app_cli
from tests.lms.catalog.helpers import simple_package

ROOT = Path(__file__).resolve().parents[2]
PROBE = """import sys
from lms.cli import main
try:
    main({args!r})
except SystemExit as exc:
    assert not exc.code, exc.code
print('\\nLOADED', sorted(m for m in ('flask', 'sqlalchemy', 'lms.core.db') if m in sys.modules))
"""


def _run(args: list[str]) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_help_table_lists_exactly_the_apps_commands(app):
    import click
    from flask.cli import ScriptInfo

    group = app_cli()
    ctx = click.Context(group, obj=ScriptInfo(create_app=lambda: app))
    assert sorted(COMMANDS) == group.list_commands(ctx)


def test_help_loads_neither_flask_nor_the_database():
    out = _run(["--help"])
    assert "Usage: lms [OPTIONS] COMMAND [ARGS]..." in out and "  worker " in out
    assert out.rstrip().endswith("LOADED []")


def test_packages_inspect_runs_without_the_app(tmp_path):
    out = _run(["packages", "inspect", str(simple_package(tmp_path))])
    summary, loaded = out.rsplit("\nLOADED", 1)
    assert json.loads(summary)["errors"] == [] and loaded.strip() == "[]"


def test_other_commands_build_the_app(runner):
    result = runner.invoke(args=["packages", "--help"])
    assert result.exit_code == 0 and "inspect" in result.output and "import" in result.output
