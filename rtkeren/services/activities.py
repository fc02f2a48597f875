"""The activity state machine's writes: one service per transition, all through one function.

That one function locks the activity, checks the transition (``rtkeren.transitions``), records
it on the activity's timeline, writes the participation ledger where a resident took part, and
notifies the people concerned once the transaction commits.
"""

from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rtkeren.models import (
    Activity,
    ActivityStatus,
    ActivityTransition,
    Role,
    User,
)
from rtkeren.selectors.accounts import role_holders
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.budget import ceiling_hold
from rtkeren.services.ledger import participation_record
from rtkeren.services.notifications import notification_send
from rtkeren.transitions import (
    TRANSITIONS,
    transition_effects,
    transition_error,
    transition_listeners,
)

KIND_ACTIVITY_PROPOSED = "activity_proposed"

#: Fields a transition writes; copied back onto the caller's instance.
_STATE_FIELDS = ("status", "status_changed_at", "decision_reason", "content_frozen_at")


def _recipients(*, activity: Activity, to_status: str, by: User) -> list[User]:
    recipients = [activity.author]
    if to_status == ActivityStatus.PROPOSED:
        recipients += role_holders(Role.OFFICER, kelurahan_id=activity.kelurahan_id)
    if to_status in (ActivityStatus.APPROVED, ActivityStatus.REJECTED):
        if activity.rt_id:
            recipients += role_holders(Role.RT_CHAIR, rt_id=activity.rt_id)
        else:
            # The chairs of the RTs that pay a share of a kelurahan-wide activity.
            paying = activity.shares.values("rt")
            recipients += role_holders(Role.RT_CHAIR, rt_id__in=paying)
    return [user for user in recipients if user.pk != by.pk]


def _message(*, title: str, to_status: str, reason: str):
    """A callable, so that each recipient reads it in their own language."""

    def render() -> str:
        values = {"title": title, "status": ActivityStatus(to_status).label, "reason": reason}
        if to_status == ActivityStatus.PROPOSED:
            return _("A new proposal awaits review: “%(title)s”.") % values
        if reason:
            return _("“%(title)s” is now: %(status)s. Reason: %(reason)s") % values
        return _("“%(title)s” is now: %(status)s.") % values

    return render


def _after_commit(
    *, activity: Activity, from_status: str, to_status: str, by: User, reason: str
) -> None:
    """Notify the people concerned, then tell the stage apps' listeners."""
    notification_send(
        recipients=_recipients(activity=activity, to_status=to_status, by=by),
        message=_message(title=activity.title, to_status=to_status, reason=reason),
        url=reverse("activity-detail", args=[activity.pk]),
        subject=activity,
    )
    for _name, listener in transition_listeners.items():
        listener(activity=activity, from_status=from_status, to_status=to_status, by=by)


def _activity_transition(
    *, activity: Activity, by: User, to_status: str, reason: str = ""
) -> Activity:
    reason = reason.strip()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        error = transition_error(activity=locked, user=by, to_status=to_status, reason=reason)
        if error is not None:
            raise error
        budget_check = ceiling_hold(locked) if to_status == ActivityStatus.APPROVED else None
        transition = TRANSITIONS[to_status]
        now = timezone.now()
        from_status = locked.status
        locked.status = to_status
        locked.status_changed_at = now
        if transition.needs_reason or (to_status == ActivityStatus.APPROVED and reason):
            # An approval may say why too: the public reads it beside a rejection's reason.
            locked.decision_reason = reason
        # Proposing counts once, for the resident the author acts as when first proposing
        # (kept on the activity, so that the ledger's recomputation knows whom it counted).
        first_proposal = (
            to_status == ActivityStatus.PROPOSED
            and not locked.transitions.filter(to_status=ActivityStatus.PROPOSED).exists()
        )
        if first_proposal:
            author = by if by.pk == locked.author_id else locked.author
            locked.proposed_as = acting_resident(author)
        locked.full_clean()
        locked.save(
            update_fields=[
                "status",
                "status_changed_at",
                "decision_reason",
                "proposed_as",
                "updated_at",
            ]
        )
        ActivityTransition.objects.create(
            activity=locked,
            from_status=from_status,
            to_status=to_status,
            by=by,
            at=now,
            note=reason,
            budget_check=budget_check,
        )
        for _name, effect in transition_effects.items():
            effect(activity=locked, from_status=from_status, to_status=to_status, by=by)
        if first_proposal and locked.proposed_as is not None:
            participation_record(
                resident=locked.proposed_as,
                kind=KIND_ACTIVITY_PROPOSED,
                subject=locked,
                activity=locked,
                recorded_by=by,
            )
        transaction.on_commit(
            partial(
                _after_commit,
                activity=locked,
                from_status=from_status,
                to_status=to_status,
                by=by,
                reason=reason,
            )
        )
    for field in _STATE_FIELDS:
        setattr(activity, field, getattr(locked, field))
    return locked


def activity_propose(*, activity: Activity, by: User) -> Activity:
    """draft → proposed, by the author; counts as the author's co-designing participation."""
    return _activity_transition(activity=activity, by=by, to_status=ActivityStatus.PROPOSED)


def activity_withdraw(*, activity: Activity, by: User) -> Activity:
    """proposed → draft, by the author, while no voting round holding it has opened."""
    return _activity_transition(activity=activity, by=by, to_status=ActivityStatus.DRAFT)


def activity_approve(*, activity: Activity, by: User, reason: str = "") -> Activity:
    """proposed → approved, by the kelurahan's officer, within the RT's ceiling
    (``rtkeren.services.budget``); ``reason`` is optional and public."""
    return _activity_transition(
        activity=activity, by=by, to_status=ActivityStatus.APPROVED, reason=reason
    )


def activity_reject(*, activity: Activity, by: User, reason: str) -> Activity:
    return _activity_transition(
        activity=activity, by=by, to_status=ActivityStatus.REJECTED, reason=reason
    )


def activity_start_delivery(*, activity: Activity, by: User) -> Activity:
    return _activity_transition(activity=activity, by=by, to_status=ActivityStatus.IN_DELIVERY)


def activity_mark_delivered(*, activity: Activity, by: User) -> Activity:
    return _activity_transition(activity=activity, by=by, to_status=ActivityStatus.DELIVERED)


def activity_mark_evaluated(*, activity: Activity, by: User) -> Activity:
    return _activity_transition(activity=activity, by=by, to_status=ActivityStatus.EVALUATED)


def activity_cancel(*, activity: Activity, by: User, reason: str) -> Activity:
    return _activity_transition(
        activity=activity, by=by, to_status=ActivityStatus.CANCELLED, reason=reason
    )


@transaction.atomic
def activity_freeze_content(*, activity: Activity, at=None) -> Activity:
    """Freeze a proposal's content from ``at`` (now by default): the moment a voting round
    holding it opens, so that residents compare the proposals as they stood when voting
    began. The earliest such moment is kept."""
    at = at or timezone.now()
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.content_frozen_at is None or at < locked.content_frozen_at:
        locked.content_frozen_at = at
        locked.save(update_fields=["content_frozen_at", "updated_at"])
    activity.content_frozen_at = locked.content_frozen_at
    return locked


#: The service for each target status, for the page that offers the transitions as buttons.
SERVICES = {
    ActivityStatus.PROPOSED: activity_propose,
    ActivityStatus.DRAFT: activity_withdraw,
    ActivityStatus.APPROVED: activity_approve,
    ActivityStatus.REJECTED: activity_reject,
    ActivityStatus.IN_DELIVERY: activity_start_delivery,
    ActivityStatus.DELIVERED: activity_mark_delivered,
    ActivityStatus.EVALUATED: activity_mark_evaluated,
    ActivityStatus.CANCELLED: activity_cancel,
}
