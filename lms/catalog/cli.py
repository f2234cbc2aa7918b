"""``lms packages import FILE --module CODE``: import a SCORM zip from the shell."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.catalog import services
from lms.core.db import command_transaction
from lms.core.errors import UserError


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "code", required=True, help="Module code (mã học phần).")
@click.option("--title-vi", default=None, help="Vietnamese title when the module is created (default: the package's).")
@click.option("--title-en", default="", help="English title when the module is created.")
@click.option("--topic", default="other", show_default=True,
              type=click.Choice(["union_law", "osh", "finance", "democracy", "other"]))
@click.option("--hours", default="0", show_default=True, help="Credit hours when the module is created.")
@click.option("--create", is_flag=True, help="Create the module when it does not exist.")
@click.option("--no-publish", is_flag=True, help="Store the version without publishing it.")
@with_appcontext
def import_command(file: Path, code: str, title_vi: str | None, title_en: str, topic: str, hours: str,
                   create: bool, no_publish: bool) -> None:
    """Validate FILE and store it as the next version of module CODE (exit 2 when the package is invalid)."""
    try:
        with command_transaction():
            module = services.get_module(code)
            if module is None:
                if not create:
                    raise click.ClickException(f"Không có học phần {code} (dùng --create để tạo) / no module {code}")
                module = services.create_module(code, title_vi or _package_title(file) or code, title_en=title_en,
                                                topic=topic, hours=hours)
            before = {v.id for v in module.versions}
            version = services.import_package(module, file, publish=not no_publish)
    except services.PackageInvalid as exc:
        for issue in exc.details:
            click.echo(f"LỖI [{issue['code']}] {issue['message_vi']} / {issue['message_en']}", err=True)
        sys.exit(2)
    except UserError as exc:
        raise click.ClickException(f"{exc.message_vi} / {exc.message_en}") from exc
    state = "đã có sẵn / already present" if version.id in before else "mới / new"
    published = " (xuất bản / published)" if module.published_version_id == version.id else ""
    click.echo(f"{module.code} v{version.number} SCORM {version.scorm_version} {state}{published}")


def _package_title(file: Path) -> str | None:
    from scorm.package import inspect

    report = inspect(file)
    return report.manifest.title if report.manifest else None


package_commands = [import_command]
