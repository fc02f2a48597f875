"""Co-designing on a kelurahan's public page (registered in ``apps.py``): the proposals approved
after voting, with their vote counts, and those rejected, each with the officer's public
reason, once the round has closed. Counts only, never who voted;
the counts of a round still open stay hidden so they cannot sway the vote. A count of one to
four is shown as "fewer than 5", as in the open data: three votes out of three voters would
tell anyone who knows who voted how each of them voted."""

from django.db.models import Count, Min, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from rtkeren.models import Activity, ActivityStatus, Kelurahan, Period
from rtkeren.opendata import suppressed
from rtkeren.paginate import counted_page
from rtkeren.places import with_held_places
from rtkeren.prepared import Prepared, id_value, totals

from .models import Vote, VotingRound

#: Proposals the kelurahan approved, whatever became of them since.
APPROVED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)
#: Closed rounds on a page of the public page's voting results, newest first.
ROUNDS_PER_PAGE = 5
PAGE_PARAM = "hasil"


def _voter_count() -> Coalesce:
    """How many residents voted in the round, in the round's own row: the page of rounds is
    then counted with a window, not grouped."""
    return Coalesce(
        Subquery(
            Vote.objects.filter(round=OuterRef("pk"))
            .order_by()
            .values("round")
            .annotate(count=Count("resident", distinct=True))
            .values("count")
        ),
        0,
    )


def kelurahan_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """A page of the closed rounds with their approved proposals and vote counts, and how many
    rounds are still to close and when the next closes (4 queries, each prepared)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk, "now": timezone.now()}
    page = counted_page(
        Prepared(VotingRound, _closed_rounds, (), values), query.get(PAGE_PARAM), ROUNDS_PER_PAGE
    )
    rounds = page.object_list
    ids = id_value(voting_round.pk for voting_round in rounds)
    counts = {
        (round_pk, activity_pk): count
        for round_pk, activity_pk, count in Prepared(
            Vote, _vote_counts, (), {"rounds": ids}
        ).tuples()
    }
    for voting_round in rounds:
        decided = voting_round.proposals.all()  # prefetched: the decided ones alone
        # Rejections are public with their reason, as approvals are with theirs.
        voting_round.approved = [
            proposal for proposal in decided if proposal.status != ActivityStatus.REJECTED
        ]
        voting_round.rejected = [
            proposal for proposal in decided if proposal.status == ActivityStatus.REJECTED
        ]
        for proposal in voting_round.approved:
            proposal.vote_count = counts.get((voting_round.pk, proposal.pk), 0)
            proposal.votes_shown = suppressed(proposal.vote_count)
        voting_round.approved.sort(key=lambda proposal: (-proposal.vote_count, proposal.title))
        voting_round.voters_shown = suppressed(voting_round.voter_count)
    [(pending_count, next_close)] = Prepared(VotingRound, _pending, (), values).tuples()
    return "designing/includes/public_section.html", {
        "rounds": rounds,
        "page_obj": page,
        "page_param": PAGE_PARAM,
        "pending_count": pending_count,
        # The section changes with the clock alone when the next of those rounds closes.
        "changes_at": next_close,
    }


def _in_scope(values: dict) -> QuerySet[VotingRound]:
    return VotingRound.objects.filter(kelurahan=values["kelurahan"], period=values["period"])


def _closed_rounds(shape: tuple, values: dict) -> QuerySet[VotingRound]:
    """The closed rounds, newest first, each with its voters and its decided proposals."""
    rounds = with_held_places(_in_scope(values).closed(values["now"]))
    return (
        rounds.annotate(voter_count=_voter_count())
        .prefetch_related(
            Prefetch(
                "proposals",
                # Their titles, reasons and votes: the section names no proposal's place.
                queryset=Activity.objects.filter(
                    status__in=(*APPROVED_STATUSES, ActivityStatus.REJECTED)
                ).order_by("title", "pk"),
            )
        )
        .order_by("-closes_at", "-pk")
    )


def _vote_counts(shape: tuple, values: dict) -> QuerySet[Vote]:
    """The votes of each proposal in each of the rounds."""
    return (
        Vote.objects.filter(round__in=values["rounds"])
        .values("round", "activity")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("round", "activity", "count")
    )


def _pending(shape: tuple, values: dict) -> QuerySet[VotingRound]:
    """How many rounds are still to close, and when the next closes: one row."""
    return totals(
        _in_scope(values).not_closed(values["now"]),
        count=Count("pk"),
        next_close=Min("closes_at"),
    )


kelurahan_section.page_params = (PAGE_PARAM,)
