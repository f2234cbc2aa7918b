"""A job's page (progress bar), its status as JSON for the bar, and its result file — for its owner only."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, send_file, url_for
from flask_login import current_user, login_required

from lms.core.db import db
from lms.core.jobs import live_progress
from lms.core.jobs_models import Job

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _own(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    return job


@bp.get("/<int:job_id>")
@login_required
def show(job_id: int):
    return render_template("jobs/show.html", job=_own(job_id), status=status_of(_own(job_id)))


@bp.get("/<int:job_id>/status")
@login_required
def status(job_id: int):
    return status_of(_own(job_id))


def status_of(job: Job) -> dict:
    """What the progress bar shows."""
    download = url_for("jobs.download", job_id=job.id) if job.result_sha256 else None
    return {"id": job.id, "state": job.state, "progress": live_progress(job), "title": job.title,
            "summary": job.summary, "error": job.error, "download": download, "attempts": job.attempts}


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _own(job_id)
    if not job.result_sha256:
        abort(404)
    from lms.core.storage import get_storage

    return send_file(get_storage().open(job.result_sha256), mimetype=job.result_mime or "application/octet-stream",
                     as_attachment=True, download_name=job.result_name or f"job-{job.id}")
