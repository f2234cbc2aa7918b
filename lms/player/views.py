"""The player blueprint: my modules, launch, the SCO page, the commit endpoint, the cross-origin
launcher frame, and the attempt pages for lecturers and managers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from lms.accounts.scope import get_cadre_or_404
from lms.catalog.content import launcher_url
from lms.catalog.models import Module, PackageVersion
from lms.core.db import commit_even_on_error, db, pending
from lms.core.errors import UserError, localized
from lms.core.extensions import csrf, session_identity
from lms.core.roles import Role, roles_required
from lms.core.sessions import check_csrf_header
from lms.player import sequencing, services
from lms.player.commit_beacon import beacon_for
from lms.player.commits import Refusal, commit_answer, parse_commit
from lms.player.models import ATTEMPT_STATUS_LABELS, Attempt
from lms.player.prereq import prerequisites_met
from lms.player.rte import max_commit_bytes
from lms.player.rules import finished
from scorm.cmi import launch_state

bp = Blueprint("player", __name__, url_prefix="/player")


def _own_cadre():
    """The cadre of the logged-in learner; 403 for accounts without one."""
    if current_user.cadre_id is None:
        abort(403)
    return current_user.cadre


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    """An attempt of the logged-in learner (another learner's attempt is a 404)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or current_user.cadre_id is None or attempt.cadre_id != current_user.cadre_id:
        abort(404)
    return attempt


def commit_now() -> None:
    """Make the request's writes durable before the response is produced (a failure raises → 500)."""
    if pending():
        db.session.commit()


@bp.route("/")
@login_required
def my_modules():
    """Học phần của tôi: my modules with status, score, attempts and resume; modules to start."""
    cadre = _own_cadre()
    rows = services.my_modules(cadre.id)
    available = services.available_modules({r.module.id for r in rows})
    return render_template("player/my_modules.html", rows=rows, available=available,
                           status_labels=ATTEMPT_STATUS_LABELS)


@bp.route("/modules/<code>")
@login_required
def module(code: str):
    """The learner's module page (lms.learning): a finished module opens on its result; a cmi5 module
    opens on its course page (lms.xapi)."""
    from lms.learning.views import module_page

    return _cmi5_page(code) or module_page(code)


def _cmi5_page(code: str):
    """A redirect to the cmi5 course page when the module's published version is a cmi5 package."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    version = module.published_version if module else None
    return redirect(url_for("cmi5.course_page", code=module.code)) if version and version.scorm_version == "cmi5" \
        else None


@bp.route("/modules/<code>/launch", methods=["POST"])
@login_required
def launch(code: str):
    """Open (resume or start, by the attempt policy) the module and go to its player page.

    A finished module is never re-opened silently: without ``new=1`` ("Làm lại") the learner is sent to
    the module's result page, which offers "Xem lại" and, when the policy allows, "Làm lại"."""
    cadre = _own_cadre()
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None or not module.active:
        abort(404)
    if (cmi5 := _cmi5_page(code)) is not None:
        return cmi5
    want_new = request.form.get("new") == "1"
    attempts = services.attempts_of(cadre.id, module.id)
    if not want_new and attempts and finished(attempts[-1]):
        services.settle(attempts[-1])  # a rule met in a session that never ended gets its record now
        commit_now()
        return redirect(url_for("player.module", code=module.code))
    attempt = services.open_attempt(cadre, module, want_new=want_new)
    services.settle(attempt)
    commit_now()
    return redirect(url_for("player.play", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/play")
@login_required
def play(attempt_id: int):
    """The launch page: TOC, navigation and the SCO in an iframe, with scorm-again configured."""
    attempt = _own_attempt_or_404(attempt_id)
    manifest = services.manifest_of(attempt.package_version)
    item = services.next_sco(attempt, manifest, request.args.get("sco") or sequencing.delivered(attempt, manifest))
    states = {s.sco_id: s for s in attempt.sco_states}
    if not prerequisites_met(item.prerequisites, states):
        raise UserError("Bạn cần hoàn thành các bài học trước trước khi mở bài này.",
                        "Complete the prerequisite lessons first.", status=409, code="prerequisites")
    version = services.cmi_version(attempt.package_version)
    review = request.args.get("review") == "1" and finished(attempt)
    if services.is_asset(manifest, item) and not review:
        services.launch_asset(attempt, item)
        commit_now()
    config = _player_config(attempt, manifest, item, version)
    if review:
        _review_mode(config, version, attempt, item)
    toc = services.toc(manifest)
    for row in toc:
        state = states.get(row["identifier"])
        row["completion"] = state.completion if state else None
        row["locked"] = not prerequisites_met(row["prerequisites"], states)
        row["href"] = url_for("player.play", attempt_id=attempt.id, sco=row["identifier"],
                              **({"review": 1} if review else {}))
    return render_template("player/play.html", attempt=attempt, module=attempt.module, item=item, toc=toc,
                           config=config, preview=False, review=review, status_labels=ATTEMPT_STATUS_LABELS)


def _review_mode(config: dict, version: str, attempt: Attempt, item) -> None:
    """"Xem lại" a finished attempt: the stored data in review mode, no credit, nothing stored (2004 RTE
    4.2.6 cmi.credit / 4.2.16 cmi.mode "review"; 1.2 RTE 3.4.4 cmi.core.credit, cmi.core.lesson_mode)."""
    from lms.player.launch import launch_cmi

    state = services.sco_state(attempt, item.identifier)
    lms = services.launch_values(item, version, attempt.cadre)
    keys = ("cmi.core.credit", "cmi.core.lesson_mode") if version == "1.2" else ("cmi.credit", "cmi.mode")
    config["state"] = {**launch_cmi(version, item, (state.cmi or {}) if state else {}, True, lms),
                       keys[0]: "no-credit", keys[1]: "review"}
    reviewed = {k: f"{u}&review=1" for k, u in config["items"].items()}
    config.update(commitUrl=None, preview=True, review=True, items=reviewed,
                  prev=config["prev"] and f"{config['prev']}&review=1", next=config["next"] and f"{config['next']}&review=1",
                  exitUrl=url_for("player.module", code=attempt.module.code))


def _player_config(attempt: Attempt, manifest, item, version: str) -> dict:
    scos = [i for i in services.sco_items(manifest) if i.isvisible]
    ids = [i.identifier for i in scos]
    index = ids.index(item.identifier) if item.identifier in ids else -1
    play = {i: url_for("player.play", attempt_id=attempt.id, sco=i) for i in ids}
    state = services.sco_state(attempt, item.identifier)
    content = services.content_url_for(attempt, item, manifest, current_user.id)
    config = _config(version, item, content, ids, play, index, {
        "attemptId": attempt.id, "lastSeq": state.last_seq if state else 0,
        "state": services.initial_state(attempt, item, attempt.cadre),
        "commitUrl": url_for("player.commit", attempt_id=attempt.id, sco_id=item.identifier), "preview": False,
        "beacon": beacon_for(attempt.id, item.identifier)})
    config["asset"] = services.is_asset(manifest, item)
    if version == "2004":
        config["navValid"] = services.nav_valid(manifest, item, services.sco_items(manifest))
    seq = sequencing.engine_config(attempt, manifest)
    if seq is not None:  # every activity can be delivered, hidden ones too (the engine decides)
        seq["saveUrl"] = url_for("player.save_sequencing", attempt_id=attempt.id)
        config["sequencing"] = seq
        config["items"] = {i.identifier: url_for("player.play", attempt_id=attempt.id, sco=i.identifier)
                           for i in services.sco_items(manifest)}
    return config


def _config(version: str, item, content: str, ids: list[str], play: dict[str, str], index: int, extra: dict) -> dict:
    """The page's #player-config (see docs/player.md)."""
    return {
        "version": version,
        "scoId": item.identifier,
        **extra,
        "contentUrl": content,
        "frameUrl": launcher_url(version),
        "prev": play[ids[index - 1]] if index > 0 else None,
        "next": play[ids[index + 1]] if 0 <= index < len(ids) - 1 else None,
        "items": play,
        "exitUrl": url_for("player.my_modules"),
        "autocommitSeconds": current_app.config.get("LMS_PLAYER_AUTOCOMMIT_SECONDS", 10),
    }


@bp.route("/preview/<int:version_id>")
@roles_required(Role.lecturer)
def preview(version_id: int):
    """Lecturers and admins play any version of a package (the catalog's "Xem thử" links here).

    Nothing is stored: no attempt, no commit URL — the run-time keeps the data in the page only
    (credit "no-credit", mode "browse"); every SCO is open (prerequisites are not checked).
    """
    version = db.session.get(PackageVersion, version_id)
    if version is None:
        abort(404)
    manifest = services.manifest_of(version)
    item = services.next_sco_of(manifest, request.args.get("sco"))
    cmi = services.cmi_version(version)
    scos = [i for i in services.sco_items(manifest) if i.isvisible]
    ids = [i.identifier for i in scos]
    index = ids.index(item.identifier) if item.identifier in ids else -1
    play = {i: url_for("player.preview", version_id=version.id, sco=i) for i in ids}
    content = services.content_url_for(None, item, manifest, current_user.id, version=version)
    state = launch_state(cmi, {}, lms_values=services.preview_values(item, cmi, current_user))
    config = _config(cmi, item, content, ids, play, index, {
        "attemptId": f"preview-{version.id}", "lastSeq": 0, "state": state, "commitUrl": None, "preview": True})
    config["exitUrl"] = url_for("catalog.module", code=version.module.code)
    toc = services.toc(manifest)
    for row in toc:
        row["completion"], row["locked"] = None, False
        row["href"] = url_for("player.preview", version_id=version.id, sco=row["identifier"])
    return render_template("player/play.html", attempt=None, module=version.module, version=version, item=item,
                           toc=toc, config=config, preview=True, status_labels=ATTEMPT_STATUS_LABELS)


def _too_large(limit: int) -> bool:
    """True when the body is over ``limit`` bytes; never reads more than ``limit + 1`` of it (a chunked body
    without Content-Length stops there: the request's own ``max_content_length``, Flask ≥ 3.1)."""
    request.max_content_length = limit + 1
    try:
        return (request.content_length or 0) > limit or len(request.get_data(cache=True)) > limit
    except RequestEntityTooLarge:
        return True


@bp.route("/attempts/<int:attempt_id>/scos/<sco_id>/commit", methods=["POST"])
@csrf.exempt  # checked below by check_csrf_header: the same rules, the signature verified once per token
def commit(attempt_id: int, sco_id: str):
    """Store a run-time commit (JSON ``{"seq", "session", "cmi": {flattened}, "terminate",
    "terminate_by_lms", "elapsed"}``); answers after it is durable.

    200 ``stored`` / ``duplicate`` / ``stale``; a stored commit whose some elements failed validation
    stores the others and lists the refused ones (``"refused": [{element, code, …}]``); 413 for a body
    over ``LMS_MAX_COMMIT_KB`` (nothing read, nothing stored); 422 when the body holds no elements;
    404 for an attempt that is not the learner's; 401 once the session has been ended.

    The hottest endpoint of the LMS: the user is not loaded — the session's claim (user id, session
    version) is checked in the query that reads and locks the SCO state (see docs/player.md).
    """
    check_csrf_header()
    who = session_identity()
    if who is None:
        return current_app.login_manager.unauthorized()
    return store_commit(attempt_id, sco_id, who)


def store_commit(attempt_id: int, sco_id: str, who: tuple[int, int], *, any_type: bool = False):
    """The commit endpoint after authentication (also the page-close beacon's, lms.player.commit_beacon):
    ``who`` is the ``(user id, session version)`` claim; ``any_type`` reads a JSON body sent as text/plain."""
    limit = max_commit_bytes(current_app.config.get("LMS_MAX_COMMIT_KB"))
    if _too_large(limit):
        return _refused(413, "commit_too_large", [], f"Dữ liệu lần lưu quá lớn (tối đa {limit // 1024} KB): "
                        "không có gì được lưu, trang vẫn giữ dữ liệu bài học.",
                        f"The commit is too large (at most {limit // 1024} KB): nothing was stored; the page "
                        "keeps the lesson data.")
    parsed = parse_commit(request.get_json(silent=True, force=any_type), request.args.get("seq"),
                          request.content_length or 0)
    if isinstance(parsed, Refusal):
        return _refused(parsed.status, parsed.code, [], parsed.vi, parsed.en)
    result = services.apply_commit(attempt_id, sco_id, parsed.seq, parsed.session_key, parsed.payload, parsed.size,
                                   user=who, terminate=parsed.terminate, by_lms=parsed.by_lms, elapsed=parsed.elapsed)
    if result.status == "refused":
        commit_even_on_error()  # keep the commit log row; the state itself was not touched
        commit_now()
        first = result.errors[0]
        return _refused(422, "scorm_invalid", result.errors, f"Dữ liệu bài học không hợp lệ: {first['message_vi']}",
                        f"Invalid lesson data: {first['message_en']}", error_code=first["code"],
                        element=first["element"])
    commit_now()
    return jsonify(commit_answer(result))


def _refused(status: int, code: str, details: list, vi: str, en: str, *, error_code: int = 101,
             element: str = ""):
    body = {"result": "false", "errorCode": error_code, "element": element,
            "error": {"code": code, "message": localized(vi, en), "status": status, "details": details}}
    return jsonify(body), status


@bp.route("/cadres/<int:cadre_id>/attempts")
@login_required
def cadre_attempts(cadre_id: int):
    """Attempts of one cadre (lecturers and managers in scope; a learner for themself); 404 out of scope."""
    cadre = get_cadre_or_404(current_user, cadre_id)
    attempts = db.session.scalars(select(Attempt).where(Attempt.cadre_id == cadre.id)
                                  .order_by(Attempt.module_id, Attempt.number)).all()
    return render_template("player/cadre_attempts.html", cadre=cadre, attempts=attempts,
                           status_labels=ATTEMPT_STATUS_LABELS)


@bp.route("/attempts/<int:attempt_id>")
@login_required
def attempt_detail(attempt_id: int):
    """One attempt with the stored data of each SCO (interactions, objectives) in tables."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    get_cadre_or_404(current_user, attempt.cadre_id)
    version = services.cmi_version(attempt.package_version)
    scos = [(s, services.readable_state(s.cmi or {}, version)) for s in attempt.sco_states]
    rollup = sequencing.rollup_explanation(attempt, services.manifest_of(attempt.package_version))
    return render_template("player/attempt.html", attempt=attempt, scos=scos, rollup=rollup,
                           status_labels=ATTEMPT_STATUS_LABELS)


@bp.route("/modules/<code>/attempts")
@roles_required(Role.lecturer, Role.manager)
def module_attempts(code: str):
    """Attempts on a module by the learners in the user's scope."""
    module = db.session.scalar(select(Module).where(Module.code == code))
    if module is None:
        abort(404)
    attempts = services.scoped_attempts(current_user, module.id)
    return render_template("player/module_attempts.html", module=module, attempts=attempts,
                           status_labels=ATTEMPT_STATUS_LABELS)


@bp.route("/attempts/<int:attempt_id>/sequencing", methods=["POST"])
@csrf.exempt  # checked below by check_csrf_header, as for commits
def save_sequencing(attempt_id: int):
    """Store the page's sequencing engine state (JSON ``{"seq", "tree", "objectives"}``, docs/sequencing.md):
    200 ``stored`` / ``duplicate`` / ``stale`` with the attempt's result; 422 for a bad state, 413 too large,
    404 for another learner's attempt."""
    check_csrf_header()
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    attempt = _own_attempt_or_404(attempt_id)
    if _too_large(sequencing.MAX_TREE_CHARS * 2):
        return _refused(413, "sequencing_too_large", [], "Trạng thái trình tự bài học quá lớn: không có gì được lưu.",
                        "The sequencing state is too large: nothing was stored.")
    body = request.get_json(silent=True)
    seq = body.get("seq") if isinstance(body, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq <= 2**62:
        return _refused(400, "bad_sequence", [], "Thiếu hoặc sai số thứ tự lần lưu (seq).", "Missing or invalid seq.")
    status = sequencing.save_state(attempt, services.manifest_of(attempt.package_version), seq,
                                   body.get("tree"), body.get("objectives"))
    commit_now()
    return jsonify({"status": status, "seq": seq, "attempt": {
        "status": attempt.status, "success": attempt.success, "rule_met": attempt.rule_met,
        "score": None if attempt.score is None else float(attempt.score)}})
