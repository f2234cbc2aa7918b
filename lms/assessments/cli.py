"""``lms quiz import FILE --bank CODE`` (xlsx, GIFT, Aiken, TOML; ``--dry-run``), ``lms quiz export`` and
``lms quiz grade-received``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.assessments import receiving, services
from lms.assessments.importers import FORMATS, gift, parse_file, toml_format, xlsx
from lms.assessments.models import QuestionBank
from lms.core.db import command_transaction, db
from lms.core.errors import UserError

quiz = AppGroup("quiz", help="Question banks and quizzes: import and export questions; grade waiting submissions.")


@quiz.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="Bank code (created when missing).")
@click.option("--title", default=None, help="Title of a new bank.")
@click.option("--topic", default="other", show_default=True, help="Topic of a new bank.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Default: from the file name.")
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
def import_command(file: Path, bank_code: str, title: str | None, topic: str, fmt: str | None, dry_run: bool) -> None:
    """Import FILE into a bank: all or nothing; every bad row is listed (exit 2)."""
    parsed = parse_file(file.name, file.read_bytes(), fmt, ident_prefix=bank_code)
    if parsed.errors:
        for error in parsed.errors:
            click.echo(f"dòng/row {error.row}: {error.message_vi} / {error.message_en}", err=True)
        click.echo(f"{len(parsed.errors)} lỗi; không có gì được lưu / nothing was saved", err=True)
        sys.exit(2)
    try:
        with command_transaction():
            bank = services.get_or_create_bank(bank_code, title, topic)
            plan = services.import_questions(bank, parsed, dry_run=dry_run)
            if dry_run:
                db.session.rollback()
    except UserError as exc:
        click.echo(f"{exc.message_vi} / {exc.message_en}", err=True)
        sys.exit(2)
    verb = "would import" if dry_run else "imported"
    click.echo(f"{bank_code}: {verb} {len(plan.created)} new, {len(plan.updated)} new versions, "
               f"{len(plan.unchanged)} unchanged")


@quiz.command("export")
@click.option("--bank", "bank_code", required=True)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "gift", "toml"]), default="xlsx", show_default=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(bank_code: str, fmt: str, out: Path) -> None:
    """Export a bank's current questions."""
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == bank_code))
    if bank is None:
        raise click.ClickException(f"no bank {bank_code}")
    questions = services.export_dicts(bank)
    if fmt == "xlsx":
        out.write_bytes(xlsx.dump(questions))
    else:
        out.write_text((gift.dump if fmt == "gift" else toml_format.dump)(questions), encoding="utf-8")
    click.echo(f"{out}: {len(questions)} questions")


@quiz.command("grade-received")
def grade_received_command() -> None:
    """Grade now every submission still waiting for its grading job (while no worker runs, or before a
    downgrade past migration 0840); exit 1 when some could not be graded."""
    with command_transaction():
        graded, failed = receiving.grade_waiting()
    click.echo(f"Đã chấm {graded} bài nộp đang chờ. / Graded {graded} waiting submissions."
               + (f" {failed} lỗi (xem nhật ký). / {failed} failed (see the log)." if failed else ""))
    if failed:
        sys.exit(1)


commands = [quiz]
