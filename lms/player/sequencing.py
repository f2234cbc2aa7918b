"""SCORM 2004 sequencing on the server (docs/sequencing.md "Engine"): the engine's settings for a package
(``scorm.sequencing_tree``), the learner's activity tree state per attempt and global objectives across
SCOs, attempts and packages (SN 3.10.1, ``adlseq:objectivesGlobalToSystem``), and the root activity's
rolled-up status (SN 4.6) that decides a sequenced module's result.

The engine runs in the page (``lms/static/js/sequencing.js``); the server keeps what it saves, so the
next page, on this browser or another, rebuilds it where the learner left it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from lms.core.db import db, utcnow
from lms.core.errors import UserError
from lms.player.models import Attempt, GlobalObjective, SequencingState
from scorm.manifest import Item, Manifest
from scorm.sequencing_tree import (
    engine_settings,
    global_objective_ids,
    objectives_global_to_system,
    uses_sequencing,
)

MAX_TREE_CHARS = 2_000_000  # ≈ 2.7 KB per activity (bench/bench_sequencing_engine.js): ~700 activities
_ENTRY_KEYS = 40
_STATUSES = {"completed", "incomplete", "not attempted", "unknown", "passed", "failed"}


@dataclass(frozen=True)
class RootStatus:
    """The root activity's rolled-up status."""

    completion: str
    success: str
    measure: float | None


def _key(manifest: Manifest, target: str) -> str:
    return target if objectives_global_to_system(manifest) else f"{manifest.identifier}/{target}"


def state_of(attempt_id: int) -> SequencingState | None:
    return db.session.scalar(select(SequencingState).where(SequencingState.attempt_id == attempt_id))


def engine_config(attempt: Attempt, manifest: Manifest) -> dict[str, Any] | None:
    """What the page needs to run the engine (``#player-config`` ``sequencing``), or ``None`` for a package
    the plain player keeps (SCORM 1.2, 2004 without sequencing)."""
    if not uses_sequencing(manifest):
        return None
    row = state_of(attempt.id)
    return {"settings": engine_settings(manifest), "tree": row.tree if row and row.tree else None,
            "objectives": load_objectives(attempt.cadre_id, manifest), "seq": row.seq if row else 0}


def delivered(attempt: Attempt, manifest: Manifest) -> str | None:
    """The activity the saved engine state delivers (or left suspended), for a launch without ``?sco=``."""
    if not uses_sequencing(manifest):
        return None
    row = state_of(attempt.id)
    found = (row.current_activity or row.suspended_activity) if row is not None else None
    return found if found in {i.identifier for i in manifest.scos()} else None


def load_objectives(cadre_id: int, manifest: Manifest) -> dict[str, dict[str, Any]]:
    """The learner's values of the package's global objectives, by ``targetObjectiveID``."""
    ids = {_key(manifest, t): t for t in global_objective_ids(manifest)}
    if not ids:
        return {}
    rows = db.session.scalars(select(GlobalObjective).where(GlobalObjective.cadre_id == cadre_id,
                                                            GlobalObjective.key.in_(list(ids))))
    return {ids[r.key]: dict(r.data or {}) for r in rows}


def objective_values(cadre_id: int, manifest: Manifest, item: Item, state: dict[str, str]) -> dict[str, str]:
    """``cmi.objectives.n.success_status`` / ``score.scaled`` read from the learner's global objectives for
    the item's objectives whose ``mapInfo`` reads them (SN 3.10.1 read maps, applied at delivery; RTE 4.2.17:
    the objective ids are already in ``state``)."""
    if not uses_sequencing(manifest) or item.sequencing is None:
        return {}
    known = load_objectives(cadre_id, manifest)
    index = {v: k.split(".")[2] for k, v in state.items() if k.startswith("cmi.objectives.") and k.endswith(".id")}
    out: dict[str, str] = {}
    for obj in item.sequencing.objectives or ():
        n = index.get(obj.objective_id or "")
        for m in obj.map_info if n is not None else ():
            entry = known.get(m.target_objective_id) or {}
            if m.read_satisfied_status and entry.get("satisfiedStatusKnown"):
                out[f"cmi.objectives.{n}.success_status"] = "passed" if entry.get("satisfiedStatus") else "failed"
            if m.read_normalized_measure and entry.get("normalizedMeasureKnown"):
                out[f"cmi.objectives.{n}.score.scaled"] = str(entry.get("normalizedMeasure"))
    return out


def save_state(attempt: Attempt, manifest: Manifest, seq: int, tree: Any, objectives: Any) -> str:
    """Store what the page's engine saved: ``stored``, or ``duplicate``/``stale`` for a save not newer than
    the stored one (nothing changes). Bad input raises :class:`UserError` (nothing written)."""
    parsed = _checked_tree(tree)
    entries = _checked_objectives(objectives, set(global_objective_ids(manifest)))
    row = state_of(attempt.id)
    if row is not None and seq <= row.seq:
        return "duplicate" if seq == row.seq else "stale"
    if row is None:
        row = SequencingState(attempt_id=attempt.id, seq=0)
        db.session.add(row)
    root = root_status(parsed, manifest)
    sequencing = parsed.get("sequencing") or {}
    row.tree, row.seq, row.updated_at = tree, seq, utcnow()
    row.current_activity = _short(sequencing.get("currentActivity"))
    row.suspended_activity = _short(sequencing.get("suspendedActivity"))
    row.root_completion, row.root_success, row.root_measure = root.completion, root.success, root.measure
    _save_objectives(attempt.cadre_id, manifest, entries)
    db.session.flush()
    from lms.player.grading import refresh_attempt

    refresh_attempt(attempt)  # the root's rollup is the module's result (and may meet its rule)
    return "stored"


def _short(value: Any) -> str | None:
    return value[:255] if isinstance(value, str) and value else None


def _bad(vi: str, en: str) -> UserError:
    return UserError(vi, en, status=422, code="sequencing_invalid")


def _checked_tree(tree: Any) -> dict[str, Any]:
    if not isinstance(tree, str) or not tree or len(tree) > MAX_TREE_CHARS:
        raise _bad("Trạng thái trình tự bài học không hợp lệ hoặc quá lớn.", "Invalid or too large sequencing state.")
    try:
        parsed = json.loads(tree)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("sequencing"), dict):
        raise _bad("Trạng thái trình tự bài học không hợp lệ.", "Invalid sequencing state.")
    return parsed


def _checked_objectives(objectives: Any, known: set[str]) -> dict[str, dict[str, Any]]:
    """Only the package's own global objectives, each a flat object of scalars."""
    if objectives is None:
        return {}
    if not isinstance(objectives, dict):
        raise _bad("Mục tiêu chung không hợp lệ.", "Invalid global objectives.")
    out: dict[str, dict[str, Any]] = {}
    for target, entry in objectives.items():
        if target not in known:
            continue
        if (not isinstance(entry, dict) or len(entry) > _ENTRY_KEYS
                or any(isinstance(v, dict | list) for v in entry.values())):
            raise _bad(f"Mục tiêu chung “{target}” không hợp lệ.", f"Invalid global objective “{target}”.")
        out[target] = entry
    return out


def _save_objectives(cadre_id: int, manifest: Manifest, entries: dict[str, dict[str, Any]]) -> None:
    keys = {_key(manifest, t): t for t in entries}
    if not keys:
        return
    rows = {r.key: r for r in db.session.scalars(select(GlobalObjective).where(
        GlobalObjective.cadre_id == cadre_id, GlobalObjective.key.in_(list(keys))))}
    for key, target in keys.items():
        row = rows.get(key)
        if row is None:
            db.session.add(GlobalObjective(cadre_id=cadre_id, key=key, data=entries[target], updated_at=utcnow()))
        elif row.data != entries[target]:
            row.data, row.updated_at = entries[target], utcnow()


def root_status(parsed: dict[str, Any], manifest: Manifest) -> RootStatus:
    """The root activity's (the organization's) completion, success and measure in a saved tree."""
    org = manifest.default_organization
    states = (parsed.get("sequencing") or {}).get("activityStates") or {}
    root = states.get(org.identifier if org else "") or {}
    completion = root.get("completionStatus") if root.get("completionStatus") in _STATUSES else "unknown"
    success = root.get("successStatus") if root.get("successStatus") in {"passed", "failed"} else "unknown"
    measure = root.get("objectiveNormalizedMeasure") if root.get("objectiveMeasureStatus") else None
    measure = float(measure) if isinstance(measure, int | float) and -1 <= measure <= 1 else None
    return RootStatus(completion, success, measure)


def rolled_up_result(attempt_id: int) -> tuple[str, str, Decimal | None] | None:
    """``(status, success, score %)`` of a sequenced attempt from its root activity (SN 4.6), or None when
    the attempt has no sequencing state (the SCO aggregation of docs/player.md decides)."""
    row = state_of(attempt_id)
    if row is None:
        return None
    status = {"completed": "completed", "not attempted": "not_attempted"}.get(row.root_completion, "in_progress")
    score = None
    if row.root_measure is not None:
        score = (Decimal(str(max(row.root_measure, 0.0))) * 100).quantize(Decimal("0.01"))
    return status, row.root_success, score


_COMPLETION_VI = {"completed": ("hoàn thành", "completed"), "incomplete": ("chưa hoàn thành", "incomplete")}
_SUCCESS_VI = {"passed": ("đạt", "passed"), "failed": ("chưa đạt", "failed")}


def _words(completion: str, success: str) -> tuple[str, str]:
    parts = [p for p in (_COMPLETION_VI.get(completion), _SUCCESS_VI.get(success)) if p]
    return (", ".join(p[0] for p in parts) or "chưa có kết quả", ", ".join(p[1] for p in parts) or "no result")


def rollup_explanation(attempt: Attempt, manifest: Manifest) -> dict[str, Any] | None:
    """Why a sequenced attempt has its result (the attempt page): each top-level activity's status and the
    course's, as the package's rollup rules made it (SN 4.6) — e.g. "Bài kiểm tra cuối: hoàn thành, đạt →
    Khoá học: hoàn thành, đạt". ``None`` for attempts without sequencing state."""
    row = state_of(attempt.id)
    org = manifest.default_organization
    if row is None or org is None or not row.tree:
        return None
    try:
        states = (json.loads(row.tree).get("sequencing") or {}).get("activityStates") or {}
    except ValueError:
        return None
    lines = []
    for item in org.items:
        s = states.get(item.identifier) or {}
        vi, en = _words(str(s.get("completionStatus") or ""), str(s.get("successStatus") or ""))
        lines.append({"title": item.title, "vi": vi, "en": en})
    vi, en = _words(row.root_completion, row.root_success)
    return {"activities": lines, "course_vi": vi, "course_en": en,
            "measure": None if row.root_measure is None else round(row.root_measure * 100, 2)}
