"""Lecturer pages: banks and questions (edit → new version), import with dry run, export, quizzes,
results (scoped to the lecturer's subtree) and item statistics."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, distinct, func, select

from lms.accounts.scope import get_cadre_or_404, get_unit_or_404, in_subtree, unit_condition
from lms.assessments import qtypes, services
from lms.assessments.forms import BankForm, ImportForm, QuestionForm, QuizForm, select_choices
from lms.assessments.importers import gift, parse_file, toml_format, xlsx
from lms.assessments.models import REVIEW_LABELS, AttemptStatus, Question, QuestionBank, Quiz, QuizAttempt
from lms.assessments.stats import quiz_item_stats
from lms.assessments.views import bp
from lms.catalog.models import Module
from lms.core import imports
from lms.core.db import db
from lms.core.errors import UserError
from lms.core.numbers import db_id, page_number
from lms.core.roles import Role, roles_required
from lms.core.spreadsheets import first_sheet_rows
from lms.core.templating import label
from lms.org.models import Cadre, OrgUnit

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
staff = roles_required(Role.lecturer)
#: rows per page of the per-cadre tables
PER_PAGE = 50


def _bank_or_404(code: str) -> QuestionBank:
    bank = db.session.scalar(select(QuestionBank).where(QuestionBank.code == code))
    if bank is None:
        abort(404)
    return bank


def _download(data: bytes | str, filename: str, mime: str) -> Response:
    body = data.encode("utf-8") if isinstance(data, str) else data
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/banks", methods=["GET", "POST"])
@staff
def banks():
    """All banks with their question counts; a form to add one."""
    form = BankForm()
    if form.validate_on_submit():
        if db.session.scalar(select(QuestionBank).where(QuestionBank.code == form.code.data)):
            raise UserError("Mã ngân hàng đã tồn tại.", "That bank code exists already.", status=409)
        bank = services.get_or_create_bank(form.code.data, form.title.data, form.topic.data)
        return redirect(url_for("assessments.bank", code=bank.code))
    rows = db.session.scalars(select(QuestionBank).order_by(QuestionBank.code)).all()
    return render_template("assessments/banks.html", banks=rows, form=form), 422 if form.errors else 200


@bp.route("/banks/<code>")
@staff
def bank(code: str):
    """A bank's questions (current versions)."""
    bank = _bank_or_404(code)
    questions = db.session.scalars(select(Question).where(Question.bank_id == bank.id).order_by(Question.ident)).all()
    return render_template("assessments/bank.html", bank=bank, questions=questions)


def _question_data(form: QuestionForm) -> dict:
    """The form's fields as an import dict (choice numbers from 1, like the xlsx template)."""
    choices = [c.strip() for c in (form.choices.data or "").splitlines() if c.strip()]
    try:
        key = xlsx._key(form.qtype.data, form.key.data)
    except ValueError:
        raise UserError("Đáp án không đọc được.", "Cannot read the key.", status=422) from None
    return {"ident": form.ident.data.strip(), "qtype": form.qtype.data, "text_vi": form.text_vi.data,
            "text_en": form.text_en.data or "", "choices": choices, "key": key,
            "tolerance": float(form.tolerance.data or 0), "explanation_vi": form.explanation_vi.data or "",
            "citation": form.citation.data or "", "difficulty": form.difficulty.data,
            "tags": [t.strip() for t in (form.tags.data or "").split(";") if t.strip()]}


@bp.route("/banks/<code>/questions/new", methods=["GET", "POST"], defaults={"ident": None})
@bp.route("/banks/<code>/questions/<ident>", methods=["GET", "POST"])
@staff
def edit_question(code: str, ident: str | None):
    """Edit a question: saving adds a version; attempts keep the version they were drawn with."""
    bank = _bank_or_404(code)
    question = None
    if ident is not None:
        question = db.session.scalar(select(Question).where(Question.bank_id == bank.id, Question.ident == ident))
        if question is None:
            abort(404)
    form = QuestionForm()
    form.qtype.choices = select_choices((t.name, label(t.label)) for t in qtypes.all_types())
    if request.method == "GET" and question is not None:
        data = services.question_dict(question)
        form.ident.data, form.qtype.data, form.text_vi.data = question.ident, data["qtype"], data["text_vi"]
        form.text_en.data, form.choices.data = data["text_en"], "\n".join(data["choices"])
        form.key.data = str(xlsx._key_cell(data)) if data["qtype"] != "ordering" else ""
        form.tolerance.data, form.explanation_vi.data = data["tolerance"], data["explanation_vi"]
        form.citation.data, form.difficulty.data, form.tags.data = data["citation"], data["difficulty"], "; ".join(data["tags"])
    if form.validate_on_submit():
        data = _question_data(form)
        if question is None:
            if db.session.scalar(select(Question).where(Question.bank_id == bank.id, Question.ident == data["ident"])):
                raise UserError("Mã câu hỏi đã có trong ngân hàng.", "That question id exists in the bank.", status=409)
            question = Question(bank_id=bank.id, ident=data["ident"])
            db.session.add(question)
            db.session.flush()
        version = services.edit_question(question, data, current_user.id)
        flash(_("Đã lưu phiên bản %(n)s.", n=version.number) if version else _("Không có thay đổi."), "success")
        return redirect(url_for("assessments.bank", code=bank.code))
    return render_template("assessments/question_form.html", bank=bank, question=question, form=form), \
        422 if form.errors else 200


@bp.route("/banks/<code>/import", methods=["GET", "POST"])
@staff
def import_questions(code: str):
    """Import a file: a dry run lists what would change and every row's errors; nothing is written on error."""
    bank = _bank_or_404(code)
    form = ImportForm()
    plan, status = None, 200
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        parsed = parse_file(upload.filename or "", data, form.fmt.data or None, ident_prefix=bank.code)
        plan = services.plan_import(bank, parsed)
        if plan.errors:
            status = 422
            preview = _preview(bank, data, upload.filename or "", form.fmt.data or "", parsed)
            return render_template("assessments/import.html", bank=bank, form=form, plan=plan, preview=preview), 422
        elif not form.dry_run.data:
            services.import_questions(bank, parsed, user_id=current_user.id)
            flash(_("Đã nhập: %(c)s câu mới, %(u)s câu có phiên bản mới, %(s)s câu không đổi.",
                    c=len(plan.created), u=len(plan.updated), s=len(plan.unchanged)), "success")
            return redirect(url_for("assessments.bank", code=bank.code))
    elif form.errors:
        status = 422
    return render_template("assessments/import.html", bank=bank, form=form, plan=plan), status


def _preview_kind(bank, fmt: str) -> str:
    return f"questions:{bank.id}:{fmt}"


def _preview(bank, data: bytes, filename: str, fmt: str, parsed) -> imports.Preview:
    """Keep a file with errors for "import the valid questions" (and, for xlsx, the copy with a "Lỗi" column)."""
    token = imports.stash(_preview_kind(bank, fmt), data, filename, current_user.id)
    bad = {e.row for e in parsed.errors}
    return imports.Preview(token, filename, len(parsed.questions) + len(bad), len(parsed.questions), parsed.errors)


def _load_preview(bank, token: str):
    fmt = request.args.get("fmt", "")
    data, filename = imports.load(_preview_kind(bank, fmt), token, current_user.id)
    return data, filename, parse_file(filename, data, fmt or None, ident_prefix=bank.code)


@bp.route("/banks/<code>/import/<token>/confirm", methods=["POST"])
@staff
def import_questions_confirm(code: str, token: str):
    """Import the valid questions of a previewed file (rows with errors left out)."""
    bank = _bank_or_404(code)
    _data, _name, parsed = _load_preview(bank, token)
    left_out = len({e.row for e in parsed.errors})
    parsed.errors = []
    plan = services.import_questions(bank, parsed, user_id=current_user.id)
    imports.discard(token)
    flash(_("Đã nhập: %(c)s câu mới, %(u)s câu có phiên bản mới, %(s)s câu không đổi; bỏ qua %(b)s dòng lỗi.",
            c=len(plan.created), u=len(plan.updated), s=len(plan.unchanged), b=left_out), "success")
    return redirect(url_for("assessments.bank", code=bank.code))


@bp.route("/banks/<code>/import/<token>/errors.xlsx")
@staff
def import_questions_errors(code: str, token: str):
    """The previewed Excel file with a "Lỗi" column."""
    bank = _bank_or_404(code)
    data, _name, parsed = _load_preview(bank, token)
    rows = [(n, [v for v, _f in cells]) for n, cells in first_sheet_rows(data)]
    if not rows:
        abort(404)
    body = imports.error_workbook([str(v or "") for v in rows[0][1]], rows[1:], parsed.errors, "Câu hỏi")
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{bank.code}-loi.xlsx"'})


@bp.route("/banks/<code>/export.<fmt>")
@staff
def export_bank(code: str, fmt: str):
    """Export a bank's current questions to xlsx, GIFT or TOML."""
    bank = _bank_or_404(code)
    questions = services.export_dicts(bank)
    if fmt == "xlsx":
        return _download(xlsx.dump(questions), f"{bank.code}.xlsx", XLSX_MIME)
    if fmt == "gift":
        return _download(gift.dump(questions), f"{bank.code}.gift.txt", "text/plain; charset=utf-8")
    if fmt == "toml":
        return _download(toml_format.dump(questions), f"{bank.code}.toml", "application/toml; charset=utf-8")
    abort(404)


@bp.route("/template.xlsx")
@staff
def xlsx_template():
    """The empty xlsx template (headers, an example row and a help sheet)."""
    return _download(xlsx.dump([]), "mau-cau-hoi.xlsx", XLSX_MIME)


@bp.route("/manage")
@staff
def manage():
    """Quizzes by module."""
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.module_id, Quiz.id)).all()
    return render_template("assessments/manage.html", quizzes=quizzes)


def _pools(text: str) -> list[dict]:
    """Pool lines 'count; difficulty; tag1,tag2; topic' → pool dicts."""
    pools = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")] + ["", "", ""]
        try:
            count = int(parts[0])
        except ValueError:
            raise UserError(f"Dòng nhóm {number}: số câu phải là số.", f"Pool line {number}: the count must be a number.",
                            status=422) from None
        if count < 1 or parts[1] not in ("", "easy", "medium", "hard"):
            raise UserError(f"Dòng nhóm {number} không hợp lệ.", f"Pool line {number} is invalid.", status=422)
        pool = {"count": count}
        if parts[1]:
            pool["difficulty"] = parts[1]
        if parts[2]:
            pool["tags"] = [t.strip() for t in parts[2].split(",") if t.strip()]
        if parts[3]:
            pool["topic"] = parts[3]
        pools.append(pool)
    return pools


def _local_to_utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=services.LOCAL_TZ).astimezone(services.UTC) if value else None


@bp.route("/manage/new", methods=["GET", "POST"], defaults={"quiz_id": None})
@bp.route("/manage/<int:quiz_id>", methods=["GET", "POST"])
@staff
def edit_quiz(quiz_id: int | None):
    """Create or edit a quiz of a module."""
    quiz = db.session.get(Quiz, quiz_id) if quiz_id else None
    if quiz_id and quiz is None:
        abort(404)
    form = QuizForm(obj=quiz)
    form.module_id.choices = select_choices((m.id, f"{m.code} — {m.title_vi}") for m in db.session.scalars(select(Module).order_by(Module.code)))
    form.bank_id.choices = select_choices((b.id, f"{b.code} — {b.title}") for b in db.session.scalars(select(QuestionBank).order_by(QuestionBank.code)))
    form.review_policy.choices = select_choices((k.value, label(v)) for k, v in REVIEW_LABELS.items())
    if request.method == "GET" and quiz is not None:
        form.pools.data = "\n".join(
            f"{p['count']}; {p.get('difficulty', '')}; {','.join(p.get('tags', []))}; {p.get('topic', '')}" for p in quiz.pools or [])
        form.opens_at.data = quiz.opens_at and services.aware(quiz.opens_at).astimezone(services.LOCAL_TZ).replace(tzinfo=None)
        form.closes_at.data = quiz.closes_at and services.aware(quiz.closes_at).astimezone(services.LOCAL_TZ).replace(tzinfo=None)
    if form.validate_on_submit():
        if quiz is None:
            quiz = Quiz()
            db.session.add(quiz)
        for name in ("module_id", "bank_id", "title", "question_count", "pass_mark", "time_limit_minutes",
                     "attempts_allowed", "review_policy", "one_per_page", "shuffle_choices", "active"):
            setattr(quiz, name, getattr(form, name).data)
        quiz.pools = _pools(form.pools.data)
        quiz.opens_at, quiz.closes_at = _local_to_utc(form.opens_at.data), _local_to_utc(form.closes_at.data)
        db.session.flush()
        db.session.refresh(quiz)
        services.check_quiz(quiz)
        flash(_("Đã lưu bài kiểm tra."), "success")
        return redirect(url_for("assessments.manage"))
    return render_template("assessments/quiz_form.html", form=form, quiz=quiz), 422 if form.errors else 200


@bp.route("/manage/<int:quiz_id>/results")
@staff
def results(quiz_id: int):
    """Submitted and open attempts of cadres in the lecturer's subtree only (``?unit=CODE``: that unit's
    subtree, 404 when outside the lecturer's)."""
    quiz = db.session.get(Quiz, quiz_id) or abort(404)
    unit = _unit_filter()
    where = [QuizAttempt.quiz_id == quiz.id, unit_condition(current_user)]
    if unit is not None:
        where.append(in_subtree(unit))
    attempts = db.session.scalars(
        select(QuizAttempt).join(Cadre, Cadre.id == QuizAttempt.cadre_id).join(OrgUnit, OrgUnit.id == Cadre.org_unit_id)
        .where(*where).order_by(Cadre.code, QuizAttempt.number)
    ).all()
    return render_template("assessments/results.html", quiz=quiz, attempts=attempts, unit=unit,
                           submitted=AttemptStatus.submitted.value)


@bp.route("/cadres/<int:cadre_id>")
@roles_required(Role.learner, Role.lecturer, Role.manager)
def cadre_results(cadre_id: int):
    """A cadre's attempts at every quiz (score, pass, date); the cadre themself or staff in scope, else 404."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    attempts = db.session.scalars(
        select(QuizAttempt).join(Quiz, Quiz.id == QuizAttempt.quiz_id).where(QuizAttempt.cadre_id == cadre.id)
        .order_by(Quiz.module_id, Quiz.id, QuizAttempt.number)
    ).all()
    return render_template("assessments/cadre_results.html", cadre=cadre, attempts=attempts,
                           own=cadre.id == current_user.cadre_id, submitted=AttemptStatus.submitted.value)


@bp.route("/units/<code>")
@roles_required(Role.lecturer, Role.manager)
def unit_results(code: str):
    """Quiz results of a unit's subtree: per quiz, cadres who attempted / passed and the average score;
    with ``?quiz=<id>``, each cadre's attempts and best score (50 a page). 404 outside the user's scope."""
    unit = get_unit_or_404(current_user, code)
    in_unit = in_subtree(unit)
    cadres = db.session.scalar(select(func.count(Cadre.id)).join(OrgUnit, OrgUnit.id == Cadre.org_unit_id)
                               .where(in_unit, Cadre.active))
    done = QuizAttempt.status == AttemptStatus.submitted.value
    rows = db.session.execute(
        select(Quiz, func.count(distinct(QuizAttempt.cadre_id)),
               func.count(distinct(case((QuizAttempt.passed.is_(True), QuizAttempt.cadre_id)))),
               func.count(case((done, QuizAttempt.id))), func.avg(case((done, QuizAttempt.score))))
        .join(QuizAttempt, QuizAttempt.quiz_id == Quiz.id).join(Cadre, Cadre.id == QuizAttempt.cadre_id)
        .join(OrgUnit, OrgUnit.id == Cadre.org_unit_id).where(in_unit)
        .group_by(Quiz.id).order_by(Quiz.module_id, Quiz.id)
    ).all()
    summary = [{"quiz": q, "cadres": n, "passed": p, "submitted": s, "average": avg} for q, n, p, s, avg in rows]
    quiz = pagination = None
    quiz_id = request.args.get("quiz", type=db_id)
    if quiz_id is not None:
        quiz = db.session.get(Quiz, quiz_id) or abort(404)
        best = (select(Cadre, func.count(QuizAttempt.id), func.max(case((done, QuizAttempt.score))),
                       func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)))
                .join(QuizAttempt, QuizAttempt.cadre_id == Cadre.id).join(OrgUnit, OrgUnit.id == Cadre.org_unit_id)
                .where(in_unit, QuizAttempt.quiz_id == quiz.id).group_by(Cadre.id).order_by(Cadre.code))
        total = db.session.scalar(select(func.count()).select_from(best.subquery()))
        pages = max(1, -(-total // PER_PAGE))
        page = min(request.args.get("page", 1, type=page_number), pages)
        pagination = {"page": page, "pages": pages, "total": total, "rows": [
            {"cadre": c, "attempts": n, "best": b, "passed": bool(p)}
            for c, n, b, p in db.session.execute(best.limit(PER_PAGE).offset((page - 1) * PER_PAGE))
        ]}
    return render_template(
        "assessments/unit_results.html", unit=unit, cadres=cadres, summary=summary, quiz=quiz, detail=pagination,
        page_url=lambda p: url_for("assessments.unit_results", code=unit.code, quiz=quiz_id, page=p),
    )


def _unit_filter() -> OrgUnit | None:
    """The ``?unit=CODE`` filter of the results page (404 when outside the user's scope), else None."""
    code = request.args.get("unit", "")
    return get_unit_or_404(current_user, code) if code else None


@bp.route("/manage/<int:quiz_id>/stats")
@staff
def stats(quiz_id: int):
    """Per-question facility, discrimination and choice distribution of the attempts in the viewer's scope."""
    quiz = db.session.get(Quiz, quiz_id) or abort(404)
    n, items = quiz_item_stats(quiz, unit_condition(current_user))
    return render_template("assessments/stats.html", quiz=quiz, n=n, items=items)
