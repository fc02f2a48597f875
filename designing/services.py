"""Writes of co-designing: one function per action, each checking its permission, atomic,
writing the participation ledger where a resident takes part and notifying on commit.

Status changes of a proposal (submit, withdraw, approve, reject) go through the core's
transition services; this module adds what co-designing needs around them.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import (
    RT,
    Activity,
    ActivityStatus,
    BudgetLine,
    Community,
    Interest,
    Kelurahan,
    NotificationKind,
    Period,
    Resident,
    User,
)
from rtkeren.permissions import require
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.activities import (
    activity_approve,
    activity_freeze_content,
    activity_reject,
)
from rtkeren.services.ledger import (
    participation_record,
    participation_redate,
    participation_remove,
)
from rtkeren.services.notifications import notification_send
from rtkeren.services.periods import period_ceiling_for

from .fit import fit_refresh
from .models import Comment, ProposalOrigin, Vote, VotingRound
from .origins import Origin
from .selectors import round_scope_accounts

KIND_COMMENTED = "proposal_commented"

#: A unit price above this is surely a typing slip (a billion rupiah for one item).
MAX_UNIT_PRICE = 1_000_000_000
MAX_QUANTITY = 100_000
MAX_BUDGET_LINES = 30

PROPOSAL_FIELDS = (
    "title",
    "description",
    "kind",
    "nature",
    "bidang",
    "funding_source",
    "target_participants",
    "expected_outputs",
    "planned_start",
    "planned_end",
)


@dataclass(frozen=True)
class BudgetLineData:
    item: str
    quantity: int
    unit: str
    unit_price: int

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price


@dataclass(frozen=True)
class ProposalData:
    """The content of a proposal, as its form gives it."""

    title: str
    kind: str
    nature: str
    bidang: str
    funding_source: str
    description: str = ""
    target_participants: str = ""
    expected_outputs: str = ""
    planned_start: object = None
    planned_end: object = None
    interests: Sequence[Interest] = ()
    origins: Sequence[Origin] = ()
    budget_lines: Sequence[BudgetLineData] = ()


def version_of(activity: Activity) -> str:
    """What a form carries to tell whether the activity changed since it was loaded."""
    return activity.updated_at.isoformat()


def _ceiling(activity: Activity) -> int:
    if activity.rt_id:
        return period_ceiling_for(activity.period, activity.rt)
    return activity.period.rt_ceiling


def _check_budget(activity: Activity, lines: Sequence[BudgetLineData]) -> None:
    errors = []
    if len(lines) > MAX_BUDGET_LINES:
        errors.append(
            _("A proposal has at most %(count)s budget lines.") % {"count": MAX_BUDGET_LINES}
        )
    for number, line in enumerate(lines, start=1):
        if not line.item.strip() or not line.unit.strip():
            errors.append(
                _("Budget line %(number)s needs an item and a unit.") % {"number": number}
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            errors.append(
                _("Budget line %(number)s: the quantity must be between 1 and %(max)s.")
                % {"number": number, "max": f"{MAX_QUANTITY:,}".replace(",", ".")}
            )
        if not 1 <= line.unit_price <= MAX_UNIT_PRICE:
            errors.append(
                _(
                    "Budget line %(number)s: the unit price must be at least Rp1 and at most "
                    "Rp1.000.000.000, in whole rupiah."
                )
                % {"number": number}
            )
    if errors:
        raise ValidationError(errors)
    total = sum(line.total for line in lines)
    ceiling = _ceiling(activity)
    if activity.funding_source == Activity.Funding.RT_KEREN and total > ceiling:
        raise ValidationError(
            _(
                "The budget totals %(total)s, above the RT Keren ceiling of %(ceiling)s for "
                "this period. Lower the amounts or choose another funding source."
            )
            % {"total": _rupiah(total), "ceiling": _rupiah(ceiling)}
        )


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def _check_dates(activity: Activity) -> None:
    """The planned days lie in the budget year the proposal is for."""
    period = activity.period
    errors = {
        field: _("Choose a day within the budget year %(year)s, from %(start)s to %(end)s.")
        % {
            "year": period.year,
            "start": formats.date_format(period.starts_on, "DATE_FORMAT"),
            "end": formats.date_format(period.ends_on, "DATE_FORMAT"),
        }
        for field in ("planned_start", "planned_end")
        if getattr(activity, field)
        and not period.starts_on <= getattr(activity, field) <= period.ends_on
    }
    if errors:
        raise ValidationError(errors)


def _write_content(activity: Activity, data: ProposalData) -> None:
    for field in PROPOSAL_FIELDS:
        value = getattr(data, field)
        setattr(activity, field, value.strip() if isinstance(value, str) else value)
    if not activity.title:
        raise ValidationError({"title": _("Please give the proposal a title.")})
    _check_dates(activity)
    activity.full_clean()
    _check_budget(activity, data.budget_lines)
    activity.save()
    activity.interests.set(data.interests)
    activity.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            activity=activity,
            item=line.item.strip(),
            quantity=line.quantity,
            unit=line.unit.strip(),
            unit_price=line.unit_price,
        )
        for line in data.budget_lines
    )
    activity.designing_origins.all().delete()
    ProposalOrigin.objects.bulk_create(
        ProposalOrigin(
            activity=activity,
            content_type_id=origin.content_type_id,
            object_id=origin.object_id,
            label=origin.label[: ProposalOrigin._meta.get_field("label").max_length],
        )
        for origin in {origin.key: origin for origin in data.origins}.values()
    )
    fit_refresh(activity=activity)


@transaction.atomic
def proposal_create(
    *,
    by: User,
    place: RT | Kelurahan,
    period: Period,
    data: ProposalData,
    community: Community | None = None,
) -> Activity:
    """Draft a proposal of ``place`` (an RT, or a whole kelurahan)."""
    require(by, "designing.add_proposal", place)
    if isinstance(place, RT):
        kelurahan_id, rt = place.rw.kelurahan_id, place
    else:
        kelurahan_id, rt = place.pk, None
    if not period.is_open:
        raise ValidationError(_("This period is closed; choose an open period."))
    if community is not None and community.kelurahan_id != kelurahan_id:
        raise ValidationError({"community": _("This community is not in the kelurahan.")})
    activity = Activity(
        kelurahan_id=kelurahan_id,
        rt=rt,
        period=period,
        community=community,
        author=by,
        status=ActivityStatus.DRAFT,
    )
    _write_content(activity, data)
    return activity


@transaction.atomic
def proposal_update(*, activity: Activity, by: User, version: str, data: ProposalData) -> Activity:
    """Change a draft. Refused once submitted or frozen, and when the activity changed since
    the form showing ``version`` was loaded (someone else's change is never overwritten)."""
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("period", "rt__rw")
        .get(pk=activity.pk)
    )
    if version_of(locked) != version:
        raise ValidationError(
            _(
                "This proposal was changed after you opened the form. Nothing was saved: "
                "reload the page, check the changes and try again."
            ),
            code="stale",
        )
    if locked.status != ActivityStatus.DRAFT:
        raise ValidationError(
            _(
                "Only a draft can be edited. Take the proposal back to draft first, if no "
                "voting round holds it."
            ),
            code="status",
        )
    if locked.is_content_frozen:
        raise ValidationError(
            _("A voting round has held this proposal, so its content is frozen."),
            code="frozen",
        )
    require(by, "designing.change_proposal", locked)
    _write_content(locked, data)
    return locked


# Discussion.


def _comment_message(title: str, reply: bool):
    def render() -> str:
        if reply:
            return _("Someone replied to your comment on “%(title)s”.") % {"title": title}
        return _("A new comment on your proposal “%(title)s”.") % {"title": title}

    return render


@transaction.atomic
def comment_post(
    *, activity: Activity, by: User, body: str, parent: Comment | None = None
) -> Comment:
    """Add a comment, or a reply to a top-level comment, to a proposal's discussion."""
    require(by, "designing.comment_proposal", activity)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Please write something before sending.")})
    if parent is not None:
        if parent.activity_id != activity.pk:
            raise ValidationError(_("You can only reply to a comment on this proposal."))
        # One level of replies: answering a reply answers its thread.
        if parent.parent_id is not None:
            parent = parent.parent
    resident = acting_resident(by)
    comment = Comment(activity=activity, parent=parent, author=by, resident=resident, body=body)
    comment.full_clean()
    comment.save()
    if resident is not None:
        participation_record(
            resident=resident,
            kind=KIND_COMMENTED,
            subject=activity,
            activity=activity,
            recorded_by=by,
        )
    recipient = parent.author if parent is not None else activity.author
    if recipient.pk != by.pk:
        transaction.on_commit(
            partial(
                notification_send,
                recipients=[recipient],
                message=_comment_message(activity.title, reply=parent is not None),
                url=reverse("designing:proposal-detail", args=[activity.pk])
                + f"#comment-{comment.pk}",
                subject=activity,
            )
        )
    return comment


def _comment_participation_sync(comment: Comment) -> None:
    """Make the author's "commented" row on the comment's proposal follow their visible comments
    there: the ledger keeps one row per resident and proposal, dated by the first comment still
    shown, and none while every comment of theirs is hidden (moderation hides abuse or spam,
    which is no taking part). The row is the register entry the author wrote as
    (``Comment.resident``), as the recomputation counts it (``designing.ledger``)."""
    resident = comment.resident
    if resident is None:
        return
    activity = comment.activity
    first = (
        Comment.objects.visible()
        .filter(activity=activity, resident=resident)
        .aggregate(first=Min("created_at"))["first"]
    )
    if first is None:
        participation_remove(resident=resident, kind=KIND_COMMENTED, subject=activity)
        return
    day = timezone.localdate(first)
    participation_record(
        resident=resident,
        kind=KIND_COMMENTED,
        subject=activity,
        activity=activity,
        occurred_on=day,
        recorded_by=comment.author,
    )
    participation_redate(
        resident=resident,
        kind=KIND_COMMENTED,
        subject=activity,
        activity=activity,
        occurred_on=day,
    )


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str) -> Comment:
    """Hide an abusive comment; it stays, its author still reads it, everyone sees why. It no
    longer counts as its author's participation (``_comment_participation_sync``)."""
    require(by, "designing.moderate_comment", comment)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason; it is shown in its place.")})
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if locked.is_hidden:
        raise ValidationError(_("This comment is already hidden."))
    locked.hidden_at = timezone.now()
    locked.hidden_by = by
    locked.hidden_reason = reason
    locked.full_clean()
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _comment_participation_sync(locked)
    return locked


@transaction.atomic
def comment_restore(*, comment: Comment, by: User) -> Comment:
    """Show a hidden comment again (a moderation mistake): it counts again, on the day it was
    written."""
    require(by, "designing.moderate_comment", comment)
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    locked.hidden_at = None
    locked.hidden_by = None
    locked.hidden_reason = ""
    locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _comment_participation_sync(locked)
    return locked


# Review.


def _review_message(title: str, approved: bool, reason: str):
    def render() -> str:
        values = {"title": title, "reason": reason}
        if approved:
            return _("The proposal “%(title)s” you discussed or voted on is approved.") % values
        return (
            _("The proposal “%(title)s” you discussed or voted on is rejected. Reason: %(reason)s")
            % values
        )

    return render


def _discussion_and_voters(activity: Activity) -> list[User]:
    """Those who commented, and the residents who voted in a round holding the proposal, read
    as one list of accounts: whom they voted for is never part of it."""
    commenters = Comment.objects.filter(activity=activity).values("author")
    voters = Resident.objects.filter(
        pk__in=Vote.objects.filter(round__proposals=activity).values("resident")
    ).values("user")
    return list(User.objects.filter(is_active=True).filter(Q(pk__in=commenters) | Q(pk__in=voters)))


@transaction.atomic
def proposal_review(*, activity: Activity, by: User, approve: bool, reason: str = "") -> Activity:
    """Approve or reject a proposal through the core's transition (which checks the officer,
    the status and open voting rounds, and tells the author); then tell the discussion."""
    if approve:
        activity_approve(activity=activity, by=by, reason=reason)
    else:
        activity_reject(activity=activity, by=by, reason=reason)
    recipients = [
        user
        for user in _discussion_and_voters(activity)
        if user.pk not in (by.pk, activity.author_id)
    ]
    transaction.on_commit(
        partial(
            notification_send,
            recipients=recipients,
            message=_review_message(activity.title, approve, reason.strip()),
            url=reverse("designing:proposal-detail", args=[activity.pk]),
            subject=activity,
        )
    )
    return activity


# Voting rounds.

KIND_VOTED = "vote_cast"


def _round_place(place: RT | Kelurahan) -> dict:
    if isinstance(place, RT):
        return {"kelurahan_id": place.rw.kelurahan_id, "rt": place}
    return {"kelurahan": place, "rt": None}


def round_message(title: str, text: str):
    def render() -> str:
        return _(text) % {"title": title}

    return render


ROUND_OPENED = gettext_noop(
    "Voting “%(title)s” is open: choose the proposals you want for your neighbourhood."
)
ROUND_SCHEDULED = gettext_noop(
    "Voting “%(title)s” has been announced: look at the proposals before it opens."
)
RESULTS_ANNOUNCED = gettext_noop("The results of the voting “%(title)s” are published.")


def _notify_round_scope(voting_round: VotingRound, text: str) -> None:
    transaction.on_commit(
        partial(
            notification_send,
            kind=NotificationKind.VOTE,
            recipients=list(round_scope_accounts(voting_round)),
            message=round_message(voting_round.title, text),
            url=reverse("designing:round-detail", args=[voting_round.pk]),
            subject=voting_round,
        )
    )


@transaction.atomic
def round_open(
    *,
    by: User,
    place: RT | Kelurahan,
    period: Period,
    title: str,
    opens_at,
    closes_at,
    votes_per_resident: int,
    proposals: Sequence[Activity],
) -> VotingRound:
    """Open (or schedule) a voting round of ``place`` holding ``proposals``.

    Their content freezes when the round opens: until then the author may still take a
    proposal back to draft (it then leaves the ballot). The residents of the scope are told.
    """
    require(by, "designing.add_round", place)
    voting_round = VotingRound(
        **_round_place(place),
        period=period,
        title=title.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        votes_per_resident=votes_per_resident,
        opened_by=by,
    )
    voting_round.full_clean()
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time has already passed.")})
    if not proposals:
        raise ValidationError({"proposals": _("Choose at least one proposal.")})
    ids = [activity.pk for activity in proposals]
    locked = list(Activity.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    problems = []
    held = set(
        VotingRound.objects.not_closed(timezone.now())
        .filter(proposals__in=ids)
        .values_list("proposals", flat=True)
    )
    for activity in locked:
        if activity.status != ActivityStatus.PROPOSED:
            problems.append(_("“%(title)s” is not a submitted proposal.") % {"title": activity})
        elif activity.period_id != period.pk:
            problems.append(_("“%(title)s” belongs to another period.") % {"title": activity})
        elif activity.kelurahan_id != voting_round.kelurahan_id or (
            activity.rt_id != voting_round.rt_id
        ):
            problems.append(_("“%(title)s” is not of this round's area.") % {"title": activity})
        elif activity.pk in held:
            problems.append(
                _("“%(title)s” is already in another round that has not closed.")
                % {"title": activity}
            )
    if len(locked) != len(set(ids)):
        problems.append(_("A chosen proposal no longer exists."))
    if problems:
        raise ValidationError({"proposals": problems})
    voting_round.save()
    voting_round.proposals.set(locked)
    for activity in locked:
        activity_freeze_content(activity=activity, at=voting_round.opens_at)
    opened_now = voting_round.opens_at <= timezone.now()
    _notify_round_scope(voting_round, ROUND_OPENED if opened_now else ROUND_SCHEDULED)
    return voting_round


def voting_resident(user, voting_round: VotingRound) -> Resident:
    """The user's resident entry, if they may vote in the round; else a clear refusal."""
    resident = acting_resident(user)
    if resident is None:
        raise PermissionDenied(
            _("Only verified residents vote. Ask your RT chair to verify your account.")
        )
    in_scope = (
        resident.rt_id == voting_round.rt_id
        if voting_round.rt_id
        else resident.rt.rw.kelurahan_id == voting_round.kelurahan_id
    )
    if not in_scope:
        raise PermissionDenied(_("This round is for the residents of another area."))
    if not resident.is_adult():
        raise PermissionDenied(_("Residents vote from the age of 17."))
    return resident


def _check_open(voting_round: VotingRound) -> None:
    state = voting_round.state()
    if state == VotingRound.State.CANCELLED:
        raise ValidationError(
            _("This round was cancelled. Reason: %(reason)s")
            % {"reason": voting_round.cancel_reason}
        )
    if state == VotingRound.State.SCHEDULED:
        raise ValidationError(_("This round is not open yet."))
    if state == VotingRound.State.CLOSED:
        raise ValidationError(_("This round has closed; votes can no longer change."))


def _check_standing(voting_round: VotingRound, activity: Activity) -> None:
    """Votes go only to a proposal still on the round's ballot."""
    status = voting_round.proposals.filter(pk=activity.pk).values_list("status", flat=True).first()
    if status is None:
        raise ValidationError(_("This proposal is not in this round."))
    if status != ActivityStatus.PROPOSED:
        raise ValidationError(
            _("This proposal was withdrawn or cancelled: it can no longer receive votes.")
        )


@transaction.atomic
def vote_cast(*, voting_round: VotingRound, activity: Activity, by: User) -> Vote:
    """One vote for ``activity``. At most one per proposal (a database constraint) and at most
    the round's number in all: the resident's row is locked while counting, so simultaneous
    requests queue instead of both slipping under the limit. The lock leaves the row's key
    alone (FOR NO KEY UPDATE), so other writes that refer to the resident are not held up."""
    resident = voting_resident(by, voting_round)
    Resident.objects.select_for_update(no_key=True).filter(pk=resident.pk).first()
    _check_open(voting_round)
    _check_standing(voting_round, activity)
    mine = Vote.objects.filter(round=voting_round, resident=resident)
    if mine.filter(activity=activity).exists():
        raise ValidationError(_("You have already voted for this proposal."))
    if mine.count() >= voting_round.votes_per_resident:
        raise ValidationError(
            _("You have used all %(count)s of your votes. Take one back to vote for this proposal.")
            % {"count": voting_round.votes_per_resident}
        )
    try:
        with transaction.atomic():
            vote = Vote.objects.create(round=voting_round, activity=activity, resident=resident)
    except IntegrityError as error:
        raise ValidationError(_("You have already voted for this proposal.")) from error
    # Once more, now that the vote is in: a cancellation committing meanwhile held the insert
    # (the proposal's row is locked) and is seen here, and this vote goes with the transaction.
    _check_standing(voting_round, activity)
    # The ledger names the round, never the proposal: the ballot stays secret.
    participation_record(
        resident=resident,
        kind=KIND_VOTED,
        subject=voting_round,
        period=voting_round.period,
        recorded_by=by,
    )
    return vote


@transaction.atomic
def vote_withdraw(*, voting_round: VotingRound, activity: Activity, by: User) -> bool:
    """Take back a vote while the round is open; the last one taken back leaves no trace in
    the ledger."""
    resident = voting_resident(by, voting_round)
    Resident.objects.select_for_update(no_key=True).filter(pk=resident.pk).first()
    _check_open(voting_round)
    deleted, _per_model = Vote.objects.filter(
        round=voting_round, activity=activity, resident=resident
    ).delete()
    if deleted and not Vote.objects.filter(round=voting_round, resident=resident).exists():
        participation_remove(resident=resident, kind=KIND_VOTED, subject=voting_round)
    return bool(deleted)


@transaction.atomic
def round_announce_results(*, voting_round: VotingRound, by: User) -> VotingRound:
    """Tell the residents of the scope that the results of a closed round are out (once)."""
    require(by, "designing.announce_results", voting_round)
    locked = VotingRound.objects.select_for_update().get(pk=voting_round.pk)
    if locked.results_announced_at is not None:
        raise ValidationError(_("The results of this round were already announced."))
    locked.results_announced_at = timezone.now()
    locked.save(update_fields=["results_announced_at"])
    _notify_round_scope(locked, RESULTS_ANNOUNCED)
    voting_round.results_announced_at = locked.results_announced_at
    return locked


# A proposal leaving a ballot.

BALLOT_LEFT = gettext_noop(
    "“%(title)s” is no longer a proposal in the voting “%(round)s” (%(status)s). Your vote for "
    "it is returned: you may give it to another proposal while the voting is open."
)


def _ballot_message(title: str, round_title: str, status: str):
    def render() -> str:
        return _(BALLOT_LEFT) % {
            "title": title,
            "round": round_title,
            "status": ActivityStatus(status).label,
        }

    return render


def proposal_off_ballot(*, activity: Activity, from_status: str, to_status: str, by: User) -> None:
    """A proposal cancelled, or taken back to draft, leaves the ballot of every round holding
    it that has not closed: its votes are returned (the residents may vote again, and one
    left with no vote in a round no longer counts as having voted there) and those who voted
    for it are told. Runs inside the transition's transaction (``transition_effects``)."""
    if to_status not in (ActivityStatus.CANCELLED, ActivityStatus.DRAFT):
        return
    rounds = list(
        VotingRound.objects.select_for_update(of=("self",))
        .filter(proposals=activity)
        .not_closed(timezone.now())
        .order_by("pk")
    )
    for voting_round in rounds:
        votes = Vote.objects.filter(round=voting_round, activity=activity)
        voters = list(Resident.objects.filter(votes__in=votes).select_related("user"))
        votes.delete()
        voting_round.proposals.remove(activity)
        still_voting = set(
            Vote.objects.filter(round=voting_round, resident__in=voters).values_list(
                "resident_id", flat=True
            )
        )
        for resident in voters:
            if resident.pk not in still_voting:
                participation_remove(resident=resident, kind=KIND_VOTED, subject=voting_round)
        recipients = [resident.user for resident in voters if resident.user_id]
        if recipients:
            transaction.on_commit(
                partial(
                    notification_send,
                    recipients=recipients,
                    message=_ballot_message(activity.title, voting_round.title, to_status),
                    url=reverse("designing:round-detail", args=[voting_round.pk]),
                    subject=voting_round,
                )
            )
    if rounds:
        _refreeze(activity)


def _refreeze(activity: Activity) -> None:
    """After the rounds holding a proposal changed: until its content is frozen, it freezes at
    the opening of the earliest round still standing that holds it (never, if none)."""
    if activity.is_content_frozen:
        return
    activity.content_frozen_at = (
        VotingRound.objects.standing()
        .filter(proposals=activity)
        .aggregate(first=Min("opens_at"))["first"]
    )
    Activity.objects.filter(pk=activity.pk).update(content_frozen_at=activity.content_frozen_at)


# Changing or cancelling a round.

ROUND_CHANGED = gettext_noop(
    "Voting “%(title)s” has changed: it opens on %(opens)s and closes on %(closes)s."
)
ROUND_CANCELLED = gettext_noop("Voting “%(title)s” is cancelled. Reason: %(reason)s")


def _round_notice(text: str, values: dict):
    def render() -> str:
        shown = {
            key: formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
            if isinstance(value, datetime.datetime)
            else value
            for key, value in values.items()
        }
        return _(text) % shown

    return render


def _notify_round_change(voting_round: VotingRound, text: str, values: dict) -> None:
    transaction.on_commit(
        partial(
            notification_send,
            kind=NotificationKind.VOTE,
            recipients=list(round_scope_accounts(voting_round)),
            message=_round_notice(text, {"title": voting_round.title, **values}),
            url=reverse("designing:round-detail", args=[voting_round.pk]),
            subject=voting_round,
        )
    )


@transaction.atomic
def round_update(
    *, voting_round: VotingRound, by: User, title: str, opens_at, closes_at, votes_per_resident: int
) -> VotingRound:
    """Change a round that has not opened yet (its title, times and votes per resident), by the
    officer who opened it. Its proposals freeze at the new opening; the scope is told."""
    locked = VotingRound.objects.select_for_update().get(pk=voting_round.pk)
    require(by, "designing.change_round", locked)
    state = locked.state()
    if state != VotingRound.State.SCHEDULED:
        raise ValidationError(
            _("This round is already %(state)s: it can no longer be changed.")
            % {"state": VotingRound.State(state).label.lower()},
            code="state",
        )
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing time has already passed.")})
    locked.title = title.strip()
    locked.opens_at, locked.closes_at = opens_at, closes_at
    locked.votes_per_resident = votes_per_resident
    locked.full_clean()
    locked.save()
    for activity in Activity.objects.select_for_update().filter(voting_rounds=locked):
        if not activity.is_content_frozen:
            activity.content_frozen_at = None  # computed again from the rounds' openings
            _refreeze(activity)
    _notify_round_change(locked, ROUND_CHANGED, {"opens": opens_at, "closes": closes_at})
    return locked


@transaction.atomic
def round_cancel(*, voting_round: VotingRound, by: User, reason: str) -> VotingRound:
    """Cancel a round that has not closed, by the officer who opened it, with a reason shown to
    the residents. Its votes stay on record (those who voted took part, as in a cancelled
    activity) but count for nothing: a cancelled round shows no results. Its proposals are free
    for another round; those it alone froze are unfrozen if it had not opened."""
    locked = VotingRound.objects.select_for_update().get(pk=voting_round.pk)
    require(by, "designing.change_round", locked)
    state = locked.state()
    if state in (VotingRound.State.CLOSED, VotingRound.State.CANCELLED):
        raise ValidationError(
            _("This round is already %(state)s: it can no longer be cancelled.")
            % {"state": VotingRound.State(state).label.lower()},
            code="state",
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Please give a reason; it is shown to the residents.")})
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = by
    locked.cancel_reason = reason
    locked.full_clean()
    locked.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    for activity in Activity.objects.select_for_update().filter(voting_rounds=locked):
        _refreeze(activity)
    _notify_round_change(locked, ROUND_CANCELLED, {"reason": reason})
    for field in ("cancelled_at", "cancelled_by", "cancel_reason"):
        setattr(voting_round, field, getattr(locked, field))
    return locked
