"""Co-designing on a kelurahan's public page (registered in ``apps.py``): the proposals approved
after voting, with their vote counts, and those rejected, each with the officer's public
reason, once the round has closed. Counts only, never who voted;
the counts of a round still open stay hidden so they cannot sway the vote. A count of one to
four is shown as "fewer than 5", as in the open data: three votes out of three voters would
tell anyone who knows who voted how each of them voted."""

from django.db.models import Count, Min, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from rtkeren.models import Activity, ActivityStatus, Kelurahan, Period
from rtkeren.opendata import suppressed
from rtkeren.paginate import counted_page

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
    rounds are still to close and when the next closes (4 queries)."""
    now = timezone.now()
    in_scope = VotingRound.objects.filter(kelurahan=kelurahan, period=period)
    page = counted_page(
        in_scope.closed(now)
        .select_related("rt__rw")
        .annotate(voter_count=_voter_count())
        .prefetch_related(
            Prefetch(
                "proposals",
                queryset=Activity.objects.filter(
                    status__in=(*APPROVED_STATUSES, ActivityStatus.REJECTED)
                )
                .select_related("rt__rw")
                .order_by("title", "pk"),
                to_attr="decided",
            )
        )
        .order_by("-closes_at", "-pk"),
        query.get(PAGE_PARAM),
        ROUNDS_PER_PAGE,
    )
    rounds = page.object_list
    counts = {
        (row["round"], row["activity"]): row["count"]
        for row in Vote.objects.filter(round__in=[r.pk for r in rounds])
        .values("round", "activity")
        .annotate(count=Count("pk"))
        .order_by()
    }
    for voting_round in rounds:
        # Rejections are public with their reason, as approvals are with theirs.
        voting_round.approved = [
            proposal
            for proposal in voting_round.decided
            if proposal.status != ActivityStatus.REJECTED
        ]
        voting_round.rejected = [
            proposal
            for proposal in voting_round.decided
            if proposal.status == ActivityStatus.REJECTED
        ]
        for proposal in voting_round.approved:
            proposal.vote_count = counts.get((voting_round.pk, proposal.pk), 0)
            proposal.votes_shown = suppressed(proposal.vote_count)
        voting_round.approved.sort(key=lambda proposal: (-proposal.vote_count, proposal.title))
        voting_round.voters_shown = suppressed(voting_round.voter_count)
    pending = in_scope.not_closed(now).aggregate(count=Count("pk"), next_close=Min("closes_at"))
    return "designing/includes/public_section.html", {
        "rounds": rounds,
        "page_obj": page,
        "page_param": PAGE_PARAM,
        "pending_count": pending["count"],
        # The section changes with the clock alone when the next of those rounds closes.
        "changes_at": pending["next_close"],
    }


kelurahan_section.page_params = (PAGE_PARAM,)
