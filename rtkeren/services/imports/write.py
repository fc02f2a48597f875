"""Import jobs: the uploaded file waits encrypted, is checked in the background, and on
confirmation is checked again and written in one transaction: all of its rows land or none
does."""

import hashlib
from functools import partial

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from rtkeren import nik as nik_codec
from rtkeren import tasks
from rtkeren.models import ImportJob, Kelurahan, Resident, User
from rtkeren.permissions import can
from rtkeren.scopecache import public_changed
from rtkeren.services.base import base_residents_sync, base_sync_deferred
from rtkeren.services.residents import resident_update

from .plan import import_plan
from .read import (
    JOB_MAX_AGE,
    MAX_FILE_BYTES,
    import_file_read,
    import_format_of,
    too_large,
)
from .shapes import (
    Action,
    ImportPlan,
    PlannedRow,
    Source,
)

# Jobs.


def _job_plan(job: ImportJob, *, on_progress=None) -> ImportPlan:
    tampered = ValidationError(
        _("The stored file has been altered. Upload the file again."), code="import_tampered"
    )
    try:
        content = nik_codec.cipher().decrypt(bytes(job.content))
    except InvalidToken as error:
        # Altered, or kept under a key since rotated out: either way, only a new upload helps.
        raise tampered from error
    if hashlib.sha256(content).hexdigest() != job.content_sha256:
        raise tampered
    rows = import_file_read(content=content, file_format=job.file_format, on_progress=on_progress)
    return import_plan(kelurahan=job.kelurahan, rows=rows, content_sha256=job.content_sha256)


def import_job_is_stale(job: ImportJob) -> bool:
    return job.created_at < timezone.now() - JOB_MAX_AGE


@transaction.atomic
def import_job_create(
    *, officer: User, kelurahan: Kelurahan, file_name: str, content: bytes
) -> ImportJob:
    """Keep an uploaded file, encrypted, and queue its check in the background worker
    (``import_job_check``). Raises a ValidationError only for what is known without reading
    the file (its type, its size); what the check finds is shown on the job's page."""
    if not can(officer, "rtkeren.import_residents", kelurahan):
        raise PermissionDenied(_("Only an officer of the kelurahan can import its residents."))
    file_format = import_format_of(file_name)
    if len(content) > MAX_FILE_BYTES:
        raise too_large()
    # Files nobody confirmed in time hold personal data for no purpose.
    ImportJob.objects.filter(
        officer=officer,
        status__in=[
            ImportJob.Status.WAITING,
            ImportJob.Status.CHECKING,
            ImportJob.Status.CHECKED,
            ImportJob.Status.FAILED,
        ],
        created_at__lt=timezone.now() - JOB_MAX_AGE,
    ).delete()
    job = ImportJob.objects.create(
        officer=officer,
        kelurahan=kelurahan,
        file_name=file_name[-255:],
        file_format=file_format,
        content=nik_codec.cipher().encrypt(content),
        content_sha256=hashlib.sha256(content).hexdigest(),
        status=ImportJob.Status.WAITING,
    )
    transaction.on_commit(partial(tasks.resident_import_check.enqueue, job.pk), robust=True)
    return job


def _officer_language(job: ImportJob) -> str:
    """The worker has no request: the messages it keeps speak the officer's language."""
    return job.officer.language or settings.LANGUAGE_CODE


def import_job_check(*, job_id: int) -> str:
    """The worker's part of an upload: read and check the file, keep the plan for the officer
    to confirm. Returns the job's new status.

    Not one transaction: each step (claimed, lines read so far, done or failed) must reach the
    officer's page while the check goes on. It writes no resident."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.WAITING).update(
        status=ImportJob.Status.CHECKING, rows_read=0
    )
    if not claimed:
        # Purged meanwhile, or already checked by another worker.
        return ""
    job = ImportJob.objects.select_related("kelurahan", "officer").get(pk=job_id)

    def progress(lines: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_read=lines)

    with translation.override(_officer_language(job)):
        try:
            plan = _job_plan(job, on_progress=progress)
        except ValidationError as error:
            _job_failed(job, " ".join(error.messages))
            return job.status
        except Exception:
            _job_failed(job, _("The check stopped unexpectedly. Upload the file again."))
            raise
    job.status = ImportJob.Status.CHECKED
    job.plan, job.fingerprint = plan.as_json(), plan.fingerprint
    job.rows_read = plan.rows[-1].line
    job.save(update_fields=["status", "plan", "fingerprint", "rows_read"])
    return job.status


def _job_failed(job: ImportJob, message: str) -> None:
    """A file that cannot be checked is of no further use: only its name and the reason stay."""
    job.status, job.error, job.content = ImportJob.Status.FAILED, message, b""
    job.save(update_fields=["status", "error", "content"])


def _may_import(officer: User, job: ImportJob) -> None:
    if not can(officer, "rtkeren.import_residents", job.kelurahan) or (
        job.officer_id != officer.pk
    ):
        raise PermissionDenied(_("Only the officer who uploaded the file can import it."))


def _stale_check() -> ValidationError:
    return ValidationError(
        _("This check is more than two hours old. Upload the file again."),
        code="import_stale",
    )


def _import_changed() -> ValidationError:
    return ValidationError(
        _(
            "The register or the file changed since the check you confirmed. Nothing was "
            "imported; look at the new check below and confirm again."
        ),
        code="import_changed",
    )


def _rejected_rows_hold_back() -> ValidationError:
    return ValidationError(
        _(
            "An OpenSID export is imported whole or not at all, and some of its rows are "
            "rejected. Correct them in OpenSID, or leave them out of the export, and upload "
            "the file again. Nothing was imported."
        ),
        code="import_rejected_rows",
    )


def import_job_held_back(job: ImportJob) -> bool:
    """Whether the job's check forbids the import: an OpenSID export with a rejected row."""
    return (
        job.plan.get("source") == Source.OPENSID
        and job.plan.get("counts", {}).get(Action.REJECT, 0) > 0
    )


@transaction.atomic
def import_job_confirm(*, officer: User, job: ImportJob, fingerprint: str) -> ImportJob:
    """Queue the import of a checked file in the background worker (``import_job_apply``),
    once the quick checks pass; the worker checks everything again before it writes."""
    _may_import(officer, job)
    locked = ImportJob.objects.select_for_update().get(pk=job.pk)
    if locked.status in (ImportJob.Status.IMPORTING, ImportJob.Status.IMPORTED):
        raise ValidationError(_("This file has already been imported."), code="import_done")
    if locked.status != ImportJob.Status.CHECKED:
        raise ValidationError(
            _("The check of this file has not finished. Wait until it has."),
            code="import_unchecked",
        )
    if import_job_is_stale(locked):
        raise _stale_check()
    if fingerprint != locked.fingerprint:
        raise _import_changed()
    if import_job_held_back(locked):
        raise _rejected_rows_hold_back()
    locked.status, locked.error = ImportJob.Status.IMPORTING, ""
    locked.save(update_fields=["status", "error"])
    transaction.on_commit(
        partial(tasks.resident_import_apply.enqueue, locked.pk, fingerprint), robust=True
    )
    return locked


def import_job_apply(*, job_id: int, fingerprint: str) -> str:
    """The worker's part of a confirmation: import the file, or keep why it was not imported
    for the officer to read on the job's page. Returns the job's new status."""
    job = ImportJob.objects.select_related("kelurahan", "officer").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.IMPORTING:
        return ""
    with translation.override(_officer_language(job)):
        try:
            job = import_job_run(officer=job.officer, job=job, fingerprint=fingerprint)
        except ValidationError as error:
            _import_refused(job, " ".join(error.messages))
        except PermissionDenied as error:
            _import_refused(job, str(error))
        except Exception:
            _import_refused(job, _("The import stopped unexpectedly. Nothing was imported."))
            raise
    job.refresh_from_db(fields=["status"])
    return job.status


def _import_refused(job: ImportJob, message: str) -> None:
    """Back to the check, with the reason: the officer may look again and confirm again."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.IMPORTING).update(
        status=ImportJob.Status.CHECKED, error=message
    )


def _new_resident(row: PlannedRow, *, officer: User, now) -> Resident:
    """A verified resident the officer adds. The checks ``resident_save`` makes one by one were
    made for the whole file by the plan; the unique constraint on verified NIKs still guards
    against a resident added by someone else in between."""
    resident = Resident(
        **row.values,
        verification=Resident.Verification.VERIFIED,
        verified_at=now,
        verified_by=officer,
    )
    resident.set_nik(row.nik)
    return resident


def _write_updates(rows: list[PlannedRow], *, officer: User) -> None:
    for row in rows:
        if row.action != Action.UPDATE:
            continue
        try:
            resident_update(by=officer, resident=row.resident, **row.changes)
        except ValidationError as error:
            raise ValidationError(
                _("Line %(line)s could not be saved: %(error)s Nothing was imported.")
                % {"line": row.line, "error": " ".join(error.messages)},
                code="import_write_failed",
            ) from error


def _write_all(rows: list[PlannedRow], *, officer: User) -> None:
    """Updates one by one through the resident service; new residents in batches (with their
    history), since one by one a large file would take minutes. The scorecard base follows once
    for the whole file."""
    with base_sync_deferred():
        _write_updates(rows, officer=officer)
    now = timezone.now()
    new = [
        _new_resident(row, officer=officer, now=now) for row in rows if row.action == Action.CREATE
    ]
    try:
        with transaction.atomic():
            created = bulk_create_with_history(new, Resident, batch_size=500, default_user=officer)
            base_residents_sync(resident_ids=[resident.pk for resident in created])
            # Saved without signals: the public pages blank the new names from now on.
            public_changed()
    except IntegrityError as error:
        raise ValidationError(
            _(
                "The register refused the new residents: one of them was added by someone "
                "else meanwhile. Nothing was imported; upload the file again for a new check."
            ),
            code="import_write_failed",
        ) from error


def import_job_run(*, officer: User, job: ImportJob, fingerprint: str) -> ImportJob:
    """Import the accepted rows of a confirmed file, all or none (in the worker: see
    ``import_job_apply``).

    Everything is checked again first: when the outcome differs from the check the officer
    confirmed (``fingerprint``), because the register changed meanwhile or the form was altered,
    nothing is written and the job keeps the new check for the officer to review.
    """
    _may_import(officer, job)
    if job.status != ImportJob.Status.IMPORTING:
        raise ValidationError(_("This file has already been imported."), code="import_done")
    if import_job_is_stale(job):
        raise _stale_check()
    plan = _job_plan(job)
    if fingerprint != job.fingerprint or plan.fingerprint != job.fingerprint:
        job.plan, job.fingerprint = plan.as_json(), plan.fingerprint
        job.save(update_fields=["plan", "fingerprint"])
        raise _import_changed()
    if plan.whole_file_only and plan.counts()[Action.REJECT]:
        raise _rejected_rows_hold_back()
    accepted = [row for row in plan.rows if row.action in Action.WRITES]
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportJob.Status.IMPORTING:
            raise ValidationError(_("This file has already been imported."), code="import_done")
        _write_all(accepted, officer=officer)
        counts = plan.counts()
        job.status = ImportJob.Status.IMPORTED
        job.imported_at = timezone.now()
        job.created_count = counts[Action.CREATE]
        job.updated_count = counts[Action.UPDATE]
        job.content = b""
        job.plan = plan.as_json()
        job.save()
    return job
