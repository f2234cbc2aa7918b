"""``lms packages build [CODE] [--out DIR]``: build shipped course sources into SCORM zips."""

from __future__ import annotations

from pathlib import Path

import click

from lms.content.builder import DEFAULT_OUT, build_course, find_course_dirs
from lms.content.source import ContentError


@click.command("build")
@click.argument("code", required=False)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              show_default=True, help="Folder for the built zips and question banks.")
def build_command(code: str | None, out_dir: Path) -> None:
    """Build CODE (a module code or a source folder), or every module under course_packages/."""
    targets: list[str | Path] = [code] if code else list(find_course_dirs())
    if not targets:
        raise click.ClickException("no course sources found")
    for target in targets:
        try:
            paths = build_course(target, out_dir)
        except (ContentError, FileNotFoundError) as exc:
            raise click.ClickException(str(exc)) from exc
        for path in paths:
            click.echo(str(path))


#: attached to ``lms packages`` by lms/cli.py
package_commands = [build_command]
