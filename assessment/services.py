"""Writes of co-assessment: one function per action, each checking its permission, atomic,
writing the participation ledger where a resident takes part (community-side evaluations and
evaluation-forum attendance; government-side evaluations do not count) and notifying on commit."""

import datetime
from collections.abc import Iterable, Mapping
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren import scopes
from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    Kelurahan,
    NotificationKind,
    Period,
    Resident,
    Role,
    RoleAssignment,
    Stage,
    User,
)
from rtkeren.permissions import can, require
from rtkeren.registry import UnfinishedOutput
from rtkeren.scopecache import scope_changed
from rtkeren.selectors.residents import acting_resident, confirmed_accounts
from rtkeren.services.activities import activity_mark_evaluated
from rtkeren.services.ledger import participation_record, participation_remove
from rtkeren.services.notifications import notification_send
from rtkeren.transitions import TransitionError

from . import scorecard, selectors
from .models import (
    SCORE_MAX,
    SCORE_MIN,
    Evaluation,
    EvaluationRound,
    FollowUp,
    ForumAttendance,
    FrozenScorecard,
    Score,
    Side,
)
from .rules import is_delivered, may_evaluate, side_for

KIND_EVALUATION_SUBMITTED = "evaluation_submitted"
KIND_EVALUATION_FORUM_ATTENDED = "evaluation_forum_attended"


def _closes_on(activity: Activity) -> str:
    closes_at = timezone.localtime(selectors.window_closes_at(activity))
    return formats.date_format(closes_at, "DATETIME_FORMAT")


def _window_refusal(activity: Activity) -> str | None:
    if activity.status != ActivityStatus.DELIVERED or timezone.now() >= (
        selectors.window_closes_at(activity)
    ):
        return _(
            "The evaluation window of this activity closed on %(date)s: evaluations can no "
            "longer be added or changed."
        ) % {"date": _closes_on(activity)}
    return None


def evaluation_refusal(*, user, activity: Activity) -> str | None:
    """Why ``user`` cannot evaluate ``activity`` now, in words; None when they can."""
    if not is_delivered(user, activity):
        return _("This activity can be evaluated once it has been delivered.")
    window = _window_refusal(activity)
    if window:
        return window
    if not may_evaluate(user, activity):
        if not scopes.has_role(user, *(role for role in Role if role != Role.RESIDENT)):
            # A resident is told what concerns them, and until when it stays open.
            return _(
                "Only residents who attended or implemented this activity can evaluate it, "
                "until %(date)s. If you were there but are not on the attendance list, ask the "
                "committee to add you."
            ) % {"date": _closes_on(activity)}
        return _(
            "Only residents who attended or implemented this activity, its chairs, Pokmas and "
            "community lead, and the kelurahan's officers and facilitators can evaluate it."
        )
    return None


def _check_window(activity: Activity) -> None:
    refusal = _window_refusal(activity)
    if refusal:
        raise ValidationError(refusal, code="window")


def _clean_scores(scores: Mapping[int, int]) -> dict[int, int]:
    """One score from 1 to 5 for every criterion in use; refused whole otherwise."""
    criteria = {criterion.pk for criterion in selectors.criteria_for()}
    cleaned = {}
    for criterion_id in criteria:
        value = scores.get(criterion_id)
        if not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
            raise ValidationError(
                _("Give every criterion a score from %(min)s to %(max)s.")
                % {"min": SCORE_MIN, "max": SCORE_MAX},
                code="score",
            )
        cleaned[criterion_id] = value
    return cleaned


def _already_evaluated(activity: Activity, *, on_behalf: bool) -> ValidationError:
    if on_behalf:
        message = _("This resident has already evaluated this activity; each person once.")
    else:
        message = _(
            "You have already evaluated this activity. You can change your evaluation until "
            "%(date)s."
        ) % {"date": _closes_on(activity)}
    return ValidationError(message, code="duplicate")


def _save_scores(evaluation: Evaluation, scores: dict[int, int]) -> None:
    existing = {score.criterion_id: score for score in evaluation.scores.all()}
    changed = []
    for criterion_id, value in scores.items():
        score = existing.get(criterion_id)
        if score is None:
            Score.objects.create(evaluation=evaluation, criterion_id=criterion_id, value=value)
        elif score.value != value:
            score.value = value
            changed.append(score)
    Score.objects.bulk_update(changed, ["value"])


def _record_participation(evaluation: Evaluation, by: User) -> None:
    if evaluation.side == Side.COMMUNITY and evaluation.resident_id:
        participation_record(
            resident=evaluation.resident,
            kind=KIND_EVALUATION_SUBMITTED,
            subject=evaluation,
            activity=evaluation.activity,
            on_behalf=evaluation.on_behalf,
            recorded_by=by,
        )


def _create(evaluation: Evaluation, scores: dict[int, int], by: User) -> Evaluation:
    evaluation.full_clean(exclude=["activity", "evaluator", "resident", "recorded_by"])
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError as error:
        raise _already_evaluated(evaluation.activity, on_behalf=evaluation.on_behalf) from error
    _save_scores(evaluation, scores)
    _record_participation(evaluation, by)
    # The scorecard counts evaluations by side.
    scope_changed(
        kelurahan_ids=[evaluation.activity.kelurahan_id], rt_ids=[evaluation.activity.rt_id]
    )
    return evaluation


def _lock(activity: Activity) -> Activity:
    """The activity, locked, so that its status cannot change under a write.

    Only the activity's row, and without its key (FOR NO KEY UPDATE): locking the period too,
    or the key, would block every other write that refers to them (a check-in's ledger row
    checks its period's key) and deadlocked simultaneous evaluations and check-ins.
    """
    locked = (
        Activity.objects.select_for_update(of=("self",), no_key=True)
        .select_related("period")
        .get(pk=activity.pk)
    )
    locked.delivered_at = getattr(activity, "delivered_at", None)
    return locked


@transaction.atomic
def evaluation_submit(
    *,
    activity: Activity,
    by: User,
    scores: Mapping[int, int],
    obstacles: str = "",
    suggestions: str = "",
) -> Evaluation:
    """``by`` evaluates ``activity`` from the side their role puts them on; once."""
    activity = _lock(activity)
    refusal = evaluation_refusal(user=by, activity=activity)
    if refusal:
        raise ValidationError(refusal, code="refused")
    cleaned = _clean_scores(scores)
    side = side_for(by, activity)
    resident = None
    if side == Side.COMMUNITY:
        resident = acting_resident(by)
    return _create(
        Evaluation(
            activity=activity,
            side=side,
            evaluator=by,
            resident=resident,
            recorded_by=by,
            obstacles=obstacles.strip(),
            suggestions=suggestions.strip(),
        ),
        cleaned,
        by,
    )


@transaction.atomic
def evaluation_record_on_behalf(
    *,
    activity: Activity,
    by: User,
    resident: Resident,
    scores: Mapping[int, int],
    obstacles: str = "",
    suggestions: str = "",
) -> Evaluation:
    """A chair or officer records the evaluation a participating resident gave them (on paper,
    by word of mouth); it is stored, counted and shown as recorded on the resident's behalf."""
    activity = _lock(activity)
    _check_window(activity)
    require(by, "assessment.record_on_behalf", activity)
    if not selectors.participants(activity).filter(pk=resident.pk).exists():
        raise ValidationError(
            _("%(name)s did not attend or implement this activity, so cannot evaluate it.")
            % {"name": resident.name},
            code="not_a_participant",
        )
    cleaned = _clean_scores(scores)
    return _create(
        Evaluation(
            activity=activity,
            side=Side.COMMUNITY,
            resident=resident,
            on_behalf=True,
            recorded_by=by,
            obstacles=obstacles.strip(),
            suggestions=suggestions.strip(),
        ),
        cleaned,
        by,
    )


def may_change_evaluation(user, evaluation: Evaluation) -> bool:
    if evaluation.on_behalf:
        return can(user, "assessment.record_on_behalf", evaluation.activity)
    return evaluation.evaluator_id == user.pk


@transaction.atomic
def evaluation_update(
    *,
    evaluation: Evaluation,
    by: User,
    scores: Mapping[int, int],
    obstacles: str = "",
    suggestions: str = "",
) -> Evaluation:
    """Change an evaluation while the window is open: one's own, or one recorded on a
    resident's behalf by someone who may record such evaluations."""
    activity = _lock(evaluation.activity)
    _check_window(activity)
    if not may_change_evaluation(by, evaluation):
        raise PermissionDenied(_("Only the person who evaluated can change this evaluation."))
    cleaned = _clean_scores(scores)
    evaluation.obstacles, evaluation.suggestions = obstacles.strip(), suggestions.strip()
    evaluation.full_clean(exclude=["activity", "evaluator", "resident", "recorded_by"])
    evaluation.save(update_fields=["obstacles", "suggestions", "updated_at"])
    _save_scores(evaluation, cleaned)
    return evaluation


def evaluations_invite(*, activity: Activity, from_status: str, to_status: str, by: User) -> None:
    """Once an activity is delivered, ask its participants (who have an account) and the
    kelurahan's officers and facilitators to evaluate it. A transition listener."""
    if to_status != ActivityStatus.DELIVERED:
        return
    participants = confirmed_accounts(selectors.participants(activity))
    government = RoleAssignment.objects.current(timezone.localdate()).filter(
        role__in=(Role.OFFICER, Role.FACILITATOR), kelurahan=activity.kelurahan_id
    )
    recipients = User.objects.filter(
        Q(pk__in=participants.values("pk")) | Q(pk__in=government.values("user"))
    ).exclude(pk=by.pk)
    title = activity.title
    notification_send(
        kind=NotificationKind.EVALUATION,
        recipients=recipients,
        message=lambda: (
            _(
                "“%(title)s” has been delivered. Please evaluate it: how did it go, and what "
                "got in the way?"
            )
            % {"title": title}
        ),
        url=reverse("assessment:evaluation-summary", args=[activity.pk]),
        subject=activity,
    )


# Follow-ups.


def _notify_owner(follow_up: FollowUp, by: User) -> None:
    if follow_up.owner_id == by.pk:
        return
    action, due = follow_up.action, follow_up.due_on
    transaction.on_commit(
        partial(
            notification_send,
            kind=NotificationKind.FOLLOW_UP,
            recipients=[follow_up.owner],
            message=lambda: (
                _("You own a follow-up, due %(date)s: %(action)s")
                % {"date": formats.date_format(due, "DATE_FORMAT"), "action": action}
            ),
            url=reverse("assessment:followup-detail", args=[follow_up.pk]),
            subject=follow_up,
        )
    )


# Marked for extraction here; translated in each recipient's language when sent.
FOLLOW_UP_OPENED = gettext_noop(
    "“%(activity)s”, which you took part in, has a follow-up: %(action)s (due %(date)s). "
    "The obstacle: %(obstacle)s"
)
FOLLOW_UP_DONE = gettext_noop(
    "A follow-up of “%(activity)s”, which you took part in, is done: %(action)s. %(resolution)s"
)


def _notify_participants(follow_up: FollowUp, text: str, by: User) -> None:
    """Tell the residents who took part in the activity (and have an account) what is being
    done about its obstacle, when a follow-up is opened and when it is done; the owner and the
    person who wrote it already know."""
    recipients = list(
        confirmed_accounts(selectors.participants(follow_up.activity)).exclude(
            pk__in=(by.pk, follow_up.owner_id)
        )
    )
    if not recipients:
        return
    values = {
        "activity": follow_up.activity.title,
        "obstacle": Truncator(follow_up.obstacle).chars(120),
        "action": Truncator(follow_up.action).chars(160),
        "resolution": Truncator(follow_up.resolution).chars(160),
    }
    due = follow_up.due_on

    def render() -> str:
        return _(text) % {**values, "date": formats.date_format(due, "DATE_FORMAT")}

    transaction.on_commit(
        partial(
            notification_send,
            kind=NotificationKind.FOLLOW_UP,
            recipients=recipients,
            message=render,
            url=reverse("assessment:followup-detail", args=[follow_up.pk]),
            subject=follow_up,
        )
    )


def _check_owner(activity: Activity, owner: User) -> None:
    if not selectors.follow_up_owners(activity).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("The owner must be an officer, facilitator or chair of this activity.")}
        )


@transaction.atomic
def follow_up_create(
    *,
    activity: Activity,
    by: User,
    obstacle: str,
    action: str,
    owner: User,
    due_on: datetime.date,
    evaluation: Evaluation | None = None,
    output: UnfinishedOutput | None = None,
) -> FollowUp:
    """Turn an obstacle into an action with an owner and a due date; it may come from an
    evaluation or from an unfinished output of the activity."""
    require(by, "assessment.add_followup", activity)
    if evaluation is not None and evaluation.activity_id != activity.pk:
        raise ValidationError(_("This evaluation is about another activity."))
    if output is not None and output.activity_id != activity.pk:
        raise ValidationError(_("This output belongs to another activity."))
    _check_owner(activity, owner)
    follow_up = FollowUp(
        activity=activity,
        evaluation=evaluation,
        output_type_id=output.content_type_id if output else None,
        output_id=output.object_id if output else None,
        obstacle=obstacle.strip(),
        action=action.strip(),
        owner=owner,
        due_on=due_on,
        created_by=by,
    )
    follow_up.full_clean(exclude=["activity", "evaluation", "output_type", "owner", "created_by"])
    follow_up.save()
    _notify_owner(follow_up, by)
    _notify_participants(follow_up, FOLLOW_UP_OPENED, by)
    return follow_up


@transaction.atomic
def follow_up_update(
    *,
    follow_up: FollowUp,
    by: User,
    status: str,
    resolution: str = "",
    due_on: datetime.date | None = None,
    owner: User | None = None,
) -> FollowUp:
    """Move a follow-up on (open, in progress, done: with a resolution note), or hand it over."""
    require(by, "assessment.change_followup", follow_up)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    resolution = resolution.strip()
    if status == FollowUp.Status.DONE and not resolution:
        raise ValidationError(
            {"resolution": _("Say how the follow-up was resolved before marking it done.")}
        )
    done_now = status == FollowUp.Status.DONE and follow_up.status != FollowUp.Status.DONE
    handed_over = owner is not None and owner.pk != follow_up.owner_id
    if handed_over:
        _check_owner(follow_up.activity, owner)
        follow_up.owner = owner
    follow_up.status, follow_up.resolution = status, resolution
    if due_on is not None:
        follow_up.due_on = due_on
    follow_up.full_clean(exclude=["activity", "evaluation", "output_type", "owner", "created_by"])
    follow_up.save()
    if handed_over:
        _notify_owner(follow_up, by)
    if done_now:
        _notify_participants(follow_up, FOLLOW_UP_DONE, by)
    return follow_up


# Evaluation rounds.


@transaction.atomic
def round_open(
    *,
    by: User,
    place: Kelurahan | RT,
    period: Period,
    title: str,
    covers_from: datetime.date,
    covers_until: datetime.date,
    forum_on: datetime.date | None = None,
    forum_place: str = "",
) -> EvaluationRound:
    """Open a round for the kelurahan or one RT, covering what was delivered in the dates."""
    require(by, "assessment.add_round", place)
    if covers_until < covers_from:
        raise ValidationError({"covers_until": _("The end cannot be before the start.")})
    if covers_from < period.starts_on or covers_until > period.ends_on:
        raise ValidationError(
            {"covers_from": _("The dates the round covers must fall within the period.")}
        )
    if forum_place.strip() and forum_on is None:
        raise ValidationError({"forum_on": _("Give the date of the evaluation forum.")})
    is_rt = isinstance(place, RT)
    evaluation_round = EvaluationRound(
        title=title.strip(),
        kelurahan_id=place.rw.kelurahan_id if is_rt else place.pk,
        rt=place if is_rt else None,
        period=period,
        covers_from=covers_from,
        covers_until=covers_until,
        forum_on=forum_on,
        forum_place=forum_place.strip(),
        opened_by=by,
    )
    evaluation_round.full_clean(exclude=["kelurahan", "rt", "period", "opened_by"])
    evaluation_round.save()
    return evaluation_round


@transaction.atomic
def forum_attendance_set(
    *,
    evaluation_round: EvaluationRound,
    by: User,
    present: Iterable[Resident],
    shown: Iterable[Resident],
) -> tuple[int, int]:
    """Of the residents ``shown`` on the attendance page, mark ``present`` ones present and the
    others absent. Presence counts as co-assessment participation. Returns (added, removed)."""
    require(by, "assessment.record_forum_attendance", evaluation_round)
    allowed = set(
        selectors.round_residents(evaluation_round)
        .filter(pk__in=[resident.pk for resident in shown])
        .values_list("pk", flat=True)
    )
    present_ids = {resident.pk for resident in present}
    if present_ids - allowed:
        raise ValidationError(_("Only residents of the round's area can be marked present."))
    already = set(
        ForumAttendance.objects.filter(round=evaluation_round, resident__in=allowed).values_list(
            "resident_id", flat=True
        )
    )
    added = removed = 0
    for resident in Resident.objects.filter(pk__in=present_ids - already):
        ForumAttendance.objects.create(round=evaluation_round, resident=resident, recorded_by=by)
        participation_record(
            resident=resident,
            kind=KIND_EVALUATION_FORUM_ATTENDED,
            subject=evaluation_round,
            period=evaluation_round.period,
            occurred_on=evaluation_round.forum_on,
            recorded_by=by,
        )
        added += 1
    for resident in Resident.objects.filter(pk__in=(allowed - present_ids) & already):
        ForumAttendance.objects.filter(round=evaluation_round, resident=resident).delete()
        participation_remove(
            resident=resident, kind=KIND_EVALUATION_FORUM_ATTENDED, subject=evaluation_round
        )
        removed += 1
    return added, removed


@transaction.atomic
def round_close(*, evaluation_round: EvaluationRound, by: User) -> tuple[int, int]:
    """Close the round; its activities whose evaluation window has closed become evaluated.
    Returns (activities moved to evaluated, activities whose window is still open)."""
    locked = EvaluationRound.objects.select_for_update().get(pk=evaluation_round.pk)
    if not locked.is_open:
        raise ValidationError(_("This round is already closed."))
    require(by, "assessment.close_round", locked)
    moved = still_open = 0
    now = timezone.now()
    for activity in selectors.round_activities(locked).filter(status=ActivityStatus.DELIVERED):
        if now < selectors.window_closes_at(activity):
            still_open += 1
            continue
        try:
            activity_mark_evaluated(activity=activity, by=by)
        except TransitionError:
            still_open += 1
            continue
        moved += 1
    locked.status, locked.closed_at = EvaluationRound.Status.CLOSED, now
    locked.save(update_fields=["status", "closed_at"])
    evaluation_round.status, evaluation_round.closed_at = locked.status, locked.closed_at
    return moved, still_open


# The scorecard's thresholds.

THRESHOLD_FIELDS = tuple(f"threshold_{stage}" for stage in Stage.values)


@transaction.atomic
def period_thresholds_set(*, period: Period, by: User, thresholds: Mapping[str, int]) -> Period:
    """Change the period's thresholds (stage -> percent). The period's history records who
    changed what, since every verdict of the scorecard depends on them."""
    require(by, "assessment.change_thresholds")
    locked = Period.objects.select_for_update().get(pk=period.pk)
    for stage, value in thresholds.items():
        setattr(locked, f"threshold_{Stage(stage).value}", value)
    locked.full_clean()
    locked._history_user = by
    locked.save(update_fields=THRESHOLD_FIELDS)
    return locked


# Freezing a closed period's scorecard.


@transaction.atomic
def scorecard_freeze(*, period: Period) -> int:
    """Store the scorecard of the city, every kelurahan and every RT in the closed ``period``
    (the ``period_closing`` hook, and ``manage.py scorecard freeze`` for a period closed before
    scorecards were stored). Returns how many rows it stored: none when the period already has
    its rows, which are never rewritten."""
    if period.is_open:
        raise ValidationError(_("Only a closed period's scorecard is frozen."))
    if FrozenScorecard.objects.filter(period=period).exists():
        return 0
    rows = scorecard.frozen_rows(period, frozen_at=timezone.now())
    FrozenScorecard.objects.bulk_create(rows, batch_size=500)
    return len(rows)
