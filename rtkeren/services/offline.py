"""Submissions a phone kept without a signal and sends later: applied once per key.

A stage's endpoint (see ``rtkeren.offline.OfflineSubmissionView``) checks the body, then hands
the write to ``offline_submission_apply`` with a function that calls the stage's own service, the
same one its form calls: the same permissions, windows and ledger rows as online.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from rtkeren.models import OfflineSubmission, User
from rtkeren.models.offline import OUTCOME_STATUS, OfflineOutcome


@dataclass(frozen=True)
class OfflineAnswer:
    """What the endpoint answers: an HTTP status and a JSON body with ``status`` (applied,
    conflict, forbidden...), ``message`` in the person's language, and ``retry`` (whether the
    phone should send it again later rather than show it as refused)."""

    status: int
    body: dict

    @classmethod
    def of(cls, submission: OfflineSubmission, *, repeated: bool = False) -> "OfflineAnswer":
        return cls(submission.status_code, {**submission.answer, "repeated": repeated})


def payload_hash(payload: Mapping) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def _messages(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this here.")


@transaction.atomic
def offline_submission_apply(
    *,
    key: uuid.UUID,
    user: User,
    kind: str,
    subject: models.Model,
    payload: Mapping,
    apply: Callable[[], str],
) -> OfflineAnswer:
    """Apply ``apply`` (which writes through a stage's service and returns what to tell the
    person) once for ``key``, and keep its answer: a ``ValidationError`` is a conflict (409), a
    ``PermissionDenied`` is not allowed (403), both with their message. The same key sent again
    gets the same answer, and nothing is written again.

    The key's row is written first, in the same transaction: a second try sent at the same
    time waits on the key's unique index until the first has committed, then reads its answer.
    """
    fingerprint = payload_hash(payload)
    claim = OfflineSubmission(
        key=key,
        user=user,
        kind=kind,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        payload_hash=fingerprint,
        # Provisional: replaced below before the transaction commits.
        outcome=OfflineOutcome.APPLIED,
    )
    try:
        with transaction.atomic():
            claim.save(force_insert=True)
    except IntegrityError:
        return _answer_again(key=key, user=user, kind=kind, subject=claim, fingerprint=fingerprint)
    try:
        with transaction.atomic():
            message = apply()
        outcome = OfflineOutcome.APPLIED
    except ValidationError as error:
        outcome, message = OfflineOutcome.CONFLICT, _messages(error)
    except PermissionDenied as error:
        outcome, message = OfflineOutcome.FORBIDDEN, _messages(error)
    claim.outcome = outcome
    claim.message = message
    claim.answer = {"status": outcome, "message": message, "retry": False}
    claim.save(update_fields=["outcome", "message", "answer"])
    return OfflineAnswer.of(claim)


def _answer_again(*, key, user, kind, subject, fingerprint) -> OfflineAnswer:
    stored = OfflineSubmission.objects.get(key=key)
    same = (
        stored.user_id == user.pk
        and stored.kind == kind
        and stored.content_type_id == subject.content_type_id
        and stored.object_id == subject.object_id
        and stored.payload_hash == fingerprint
    )
    if not same:
        # Never tell one account what another's submission was.
        message = _(
            "This submission's key was already used for something else. Fill in the form again."
        )
        return OfflineAnswer(
            OUTCOME_STATUS[OfflineOutcome.CONFLICT],
            {"status": "conflict", "message": message, "retry": False, "repeated": False},
        )
    if not stored.answer:
        # Claimed by a try whose transaction has not finished: only where two requests share
        # one connection (the test server's in-memory SQLite), since elsewhere the claim waits.
        return OfflineAnswer(
            OUTCOME_STATUS[OfflineOutcome.CONFLICT],
            {
                "status": "in_progress",
                "message": _("This submission is being recorded. It will be sent again to check."),
                "retry": True,
                "repeated": False,
            },
        )
    return OfflineAnswer.of(stored, repeated=True)
