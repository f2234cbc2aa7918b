"""``lms packages build [CODE] [--out DIR]`` builds course sources into SCORM zips;
``lms content check`` checks their legal currency (no database needed)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from lms.content.builder import DEFAULT_OUT, build_course, find_course_dirs, registry_for
from lms.content.check import check_course, vn_date
from lms.content.registry import load_registry
from lms.content.source import ContentError, load_course
from lms.core.clock import today_vn


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


@click.group("content")
def content_group() -> None:
    """Nội dung học phần gửi kèm / shipped course content (course_packages/)."""


@content_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày đối chiếu (YYYY-MM-DD), mặc định hôm nay / the day to check against (default: today).")
@click.option("--registry", "registry_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Danh mục văn bản / registry file (default: legal_sources.toml beside the modules).")
def check_command(paths: tuple[Path, ...], as_of: datetime | None, registry_file: Path | None) -> None:
    """Check that content cites only texts in force and current bases; exit 1 listing what to review.

    PATHS are course source folders (default: every module under course_packages/). No database is used.
    """
    day = as_of.date() if as_of else today_vn()
    folders = list(paths) or find_course_dirs()
    total = 0
    for folder in folders:
        try:
            registry = load_registry(registry_file) if registry_file else registry_for(folder)
            findings = check_course(load_course(folder), registry, day)
        except ContentError as exc:
            raise click.ClickException(f"Nguồn nội dung lỗi / invalid source: {exc}") from exc
        for finding in findings:
            click.echo(finding.line(folder.name))
        total += len(findings)
    if total:
        click.echo(f"Cần xem lại {total} điểm ở {len(folders)} học phần (ngày {vn_date(day)}) / "
                   f"{total} item(s) to review", err=True)
        sys.exit(1)
    click.echo(f"Đạt: {len(folders)} học phần dẫn văn bản còn hiệu lực ngày {vn_date(day)} / "
               f"all {len(folders)} module(s) current on {day.isoformat()}")


#: attached to the ``lms`` command by lms/cli.py
commands = [content_group]
