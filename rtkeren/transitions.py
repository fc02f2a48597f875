"""The activity state machine: which status may follow which, who may move it, what else must hold.

The table follows DESIGN.md section 3. The "who" lives in ``rtkeren.rules`` (one permission per
transition); the "when" that the core knows (status, frozen content, the evaluation window) is
checked here; the "when" that a stage app knows (e.g. "a voting round holding it is still open")
is a guard that the app registers in ``transition_guards``. The core never names a stage app.

Stage apps register from their ``AppConfig.ready()``::

    @transition_guards.register("designing.open_round")
    def no_open_round(activity, to_status):
        return _("A voting round holding it is still open.") if ... else None

    @coordinator_checks.register("delivery.coordinator")
    def is_coordinator(user, activity):
        return ...

    @transition_effects.register("designing.ballot")
    def off_the_ballot(*, activity, from_status, to_status, by):
        ...

    @transition_listeners.register("assessment.invite")
    def invite(*, activity, from_status, to_status, by):
        ...
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.models import FINAL_STATUSES, Activity, ActivityStatus
from rtkeren.permissions import can
from rtkeren.registry import Registry

#: ``(activity, to_status) -> error message or None``; any message blocks the transition.
transition_guards = Registry("transition guard")

#: ``(user, activity) -> bool``; any True makes the user a coordinator of the activity's delivery.
coordinator_checks = Registry("coordinator check")

#: ``(*, activity, from_status, to_status, by) -> None``, called inside the transaction that
#: makes a transition, once the activity is saved (e.g. to take a cancelled proposal off a
#: ballot): what it writes commits, or rolls back, with the transition.
transition_effects = Registry("transition effect")
#: ``(*, activity, from_status, to_status, by) -> None``, called once a transition has committed
#: (e.g. to ask the participants of a delivered activity to evaluate it).
transition_listeners = Registry("transition listener")


class TransitionError(ValidationError):
    """The activity cannot make this transition now (its status, its content, a guard)."""


class TransitionForbidden(TransitionError, PermissionDenied):
    """This person may not make this transition on this activity."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: Promise
    needs_reason: bool = False

    @property
    def permission(self) -> str:
        return f"rtkeren.{self.name}_activity"


S = ActivityStatus

# Keyed by the target status: each target is reached by exactly one transition, which lets the
# URL name the transition by the status it leads to.
TRANSITIONS: dict[str, Transition] = {
    t.target: t
    for t in (
        Transition("propose", frozenset({S.DRAFT}), S.PROPOSED, gettext_lazy("Submit proposal")),
        Transition("withdraw", frozenset({S.PROPOSED}), S.DRAFT, gettext_lazy("Back to draft")),
        Transition("approve", frozenset({S.PROPOSED}), S.APPROVED, gettext_lazy("Approve")),
        Transition(
            "reject", frozenset({S.PROPOSED}), S.REJECTED, gettext_lazy("Reject"), needs_reason=True
        ),
        Transition(
            "start_delivery", frozenset({S.APPROVED}), S.IN_DELIVERY, gettext_lazy("Start delivery")
        ),
        Transition(
            "mark_delivered",
            frozenset({S.IN_DELIVERY}),
            S.DELIVERED,
            gettext_lazy("Mark as delivered"),
        ),
        Transition(
            "mark_evaluated",
            frozenset({S.DELIVERED}),
            S.EVALUATED,
            gettext_lazy("Mark as evaluated"),
        ),
        Transition(
            "cancel",
            frozenset({S.DRAFT, S.PROPOSED, S.APPROVED, S.IN_DELIVERY}),
            S.CANCELLED,
            gettext_lazy("Cancel activity"),
            needs_reason=True,
        ),
    )
}


def is_coordinator(user, activity: Activity) -> bool:
    return any(check(user, activity) for _name, check in coordinator_checks.items())


def evaluation_window_closes_at(activity: Activity) -> datetime.datetime:
    """While an activity is ``delivered``, ``status_changed_at`` is the moment it was delivered."""
    return activity.status_changed_at + datetime.timedelta(
        days=activity.period.evaluation_window_days
    )


def transition_error(
    *, activity: Activity, user, to_status: str, reason: str | None = None
) -> TransitionError | None:
    """Why ``user`` cannot move ``activity`` to ``to_status`` now, or None when they can.

    ``reason=None`` skips the check for a missing reason (used to decide which buttons to show).
    """
    transition = TRANSITIONS.get(to_status)
    if transition is None:
        return TransitionError(_("This status change does not exist."), code="unknown")
    current = ActivityStatus(activity.status)
    if current not in transition.sources:
        if current in FINAL_STATUSES:
            message = _(
                "This activity is already “%(status)s”, a final status: it can no longer change."
            )
        else:
            message = _(
                "This activity is now “%(status)s”, so this change is no longer possible. "
                "The page you used may be out of date."
            )
        return TransitionError(message % {"status": current.label}, code="status")
    if not can(user, transition.permission, activity):
        return TransitionForbidden(
            _("You are not allowed to make this change to this activity."), code="forbidden"
        )
    if transition.target == S.DRAFT and activity.is_content_frozen:
        return TransitionError(
            _(
                "The proposal can no longer go back to draft: a voting round holding it has "
                "opened, so its content is frozen."
            ),
            code="frozen",
        )
    if transition.target == S.EVALUATED:
        closes_at = evaluation_window_closes_at(activity)
        if timezone.now() < closes_at:
            return TransitionError(
                _(
                    "The evaluation window is still open until %(date)s; the activity can be "
                    "marked as evaluated after that."
                )
                % {"date": formats.date_format(timezone.localtime(closes_at), "DATETIME_FORMAT")},
                code="window",
            )
    if transition.needs_reason and reason is not None and not reason.strip():
        return TransitionError(_("Please give a reason; it is shown publicly."), code="reason")
    for _name, guard in transition_guards.items():
        message = guard(activity, transition.target)
        if message:
            return TransitionError(str(message), code="guard")
    return None


def available_transitions(*, activity: Activity, user) -> list[tuple[Transition, str | None]]:
    """The transitions from the activity's status that ``user`` holds the permission for, each
    with the reason it is blocked right now (None when it can be made)."""
    result = []
    for transition in TRANSITIONS.values():
        if activity.status not in transition.sources:
            continue
        error = transition_error(activity=activity, user=user, to_status=transition.target)
        if isinstance(error, TransitionForbidden):
            continue
        result.append((transition, error.messages[0] if error else None))
    return result
