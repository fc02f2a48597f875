"""Co-designing's open data (``rtkeren.opendata``): the proposals decided in each closed voting
round, with their vote counts. Counts only, never who voted; a round still open is not
published, so that counts cannot sway its vote; a count under five voters is left empty."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from rtkeren.models import ActivityStatus, Kelurahan
from rtkeren.opendata import cell, register_dataset, suppressed

from .models import Vote, VotingRound
from .public import APPROVED_STATUSES


@register_dataset(
    "votes",
    title=gettext_lazy("Votes on proposals"),
    description=gettext_lazy(
        "The proposals decided after each closed voting round, with how many votes each got. "
        "A count under five is left empty."
    ),
    columns=(
        "round_id",
        "round",
        "kelurahan_code",
        "kelurahan",
        "rw",
        "rt",
        "year",
        "closed_at",
        "voters",
        "activity_id",
        "proposal",
        "decision",
        "votes",
    ),
    order=10,
)
def vote_rows(kelurahan: Kelurahan | None):
    rounds = VotingRound.objects.closed(timezone.now())
    if kelurahan is not None:
        rounds = rounds.filter(kelurahan=kelurahan)
    counts = {
        (row["round"], row["activity"]): row["count"]
        for row in Vote.objects.filter(round__in=rounds)
        .values("round", "activity")
        .annotate(count=Count("pk"))
        .order_by()
    }
    voters = dict(
        Vote.objects.filter(round__in=rounds)
        .values("round")
        .annotate(count=Count("resident", distinct=True))
        .order_by()
        .values_list("round", "count")
    )
    rows = (
        VotingRound.proposals.through.objects.filter(
            votinground__in=rounds,
            activity__status__in=(*APPROVED_STATUSES, ActivityStatus.REJECTED),
        )
        .order_by(
            "votinground__kelurahan__code", "votinground__closes_at", "votinground", "activity"
        )
        .values_list(
            "votinground",
            "votinground__title",
            "votinground__kelurahan__code",
            "votinground__kelurahan__name",
            "votinground__rt__rw__number",
            "votinground__rt__number",
            "votinground__period__year",
            "votinground__closes_at",
            "activity",
            "activity__title",
            "activity__status",
        )
    )
    for (
        round_id,
        title,
        code,
        name,
        rw,
        rt,
        year,
        closed_at,
        activity_id,
        proposal,
        status,
    ) in rows.iterator(chunk_size=2000):
        approved = status != ActivityStatus.REJECTED
        yield (
            round_id,
            title,
            code,
            name,
            rw,
            rt,
            year,
            cell(timezone.localtime(closed_at)),
            suppressed(voters.get(round_id, 0)),
            activity_id,
            proposal,
            "approved" if approved else "rejected",
            # As on the public page: the counts of the approved proposals.
            suppressed(counts.get((round_id, activity_id), 0)) if approved else None,
        )
