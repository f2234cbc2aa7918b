"""Package uploads processed by a background job (large files): validation, extraction into the storage."""

from __future__ import annotations

from lms.core.db import db
from lms.core.jobs import Context, JobFailed, task


@task
def import_uploaded(ctx: Context, module_id: int, sha256: str, uploaded_by_id: int | None, publish: bool) -> str:
    """Validate and extract a zip already kept in the storage as the module's next version.

    Idempotent: the same zip for the same module returns the existing version. An invalid package
    fails at once (no retry) with the validation report's first error, and writes nothing.
    """
    from lms.catalog import services
    from lms.catalog.models import Module
    from lms.core.storage import get_storage

    module = db.session.get(Module, module_id)
    if module is None:
        raise JobFailed("Học phần không còn tồn tại.", retry=False)
    ctx.progress(5)
    try:
        version = services.import_package(module, get_storage().path(sha256), uploaded_by_id=uploaded_by_id,
                                          publish=publish)
    except services.PackageInvalid as exc:
        raise JobFailed(f"Gói SCORM không hợp lệ: {exc.message_vi}", retry=False) from exc
    return f"Đã tải lên phiên bản {version.number} của học phần {module.code}."


def start(module, stream, *, uploaded_by_id: int | None, publish: bool):
    """Keep the upload in the storage and enqueue its processing; the response goes to the job's page."""
    from lms.core.exports import job_response
    from lms.core.jobs import enqueue
    from lms.core.storage import get_storage

    sha256, _size = get_storage().put_stream(stream)
    job = enqueue(import_uploaded, module_id=module.id, sha256=sha256, uploaded_by_id=uploaded_by_id,
                  publish=publish, key=f"upload:{module.id}:{sha256}:{int(publish)}",
                  title=f"Xử lý gói SCORM cho học phần {module.code}", user_id=uploaded_by_id)
    return job_response(job)
