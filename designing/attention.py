"""What co-designing asks people to look at on their home page (see rtkeren.registry)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rtkeren import scopes
from rtkeren.models import Activity, ActivityStatus, Role
from rtkeren.prepared import Prepared, id_value
from rtkeren.registry import AttentionItem, Priority, attention, url_or_empty

from .models import VotingRound


def _proposal_list(query: str) -> str:
    url = url_or_empty("designing:proposal-list")
    return f"{url}?{query}" if url else ""


def _drafts(shape: tuple, values: dict):
    return Activity.objects.filter(author=values["author"], status=ActivityStatus.DRAFT)


def _to_review(shape: tuple, values: dict):
    """Proposals of the officer's kelurahan in no round still to close. Looked up for each
    proposal (an anti-join on the round's proposals), not as the list of every proposal of the
    city's rounds still to close."""
    in_a_round_to_close = VotingRound.proposals.through.objects.filter(
        activity=OuterRef("pk"), votinground__in=VotingRound.objects.not_closed(values["now"])
    )
    return Activity.objects.filter(
        ~Exists(in_a_round_to_close),
        kelurahan__in=values["kelurahan"],
        status=ActivityStatus.PROPOSED,
    )


def _to_announce(shape: tuple, values: dict):
    return VotingRound.objects.closed(values["now"]).filter(
        kelurahan__in=values["kelurahan"], results_announced_at__isnull=True
    )


def _open_for(shape: tuple, values: dict):
    return VotingRound.objects.open_at(values["now"]).filter(
        Q(rt__in=values["rts"]) | Q(rt__isnull=True, kelurahan__in=values["kelurahan"])
    )


@attention.register("designing", order=30)
def designing(user) -> list[AttentionItem]:
    """Officers: proposals to review and closed rounds to announce. Residents: open rounds
    they may vote in. Authors: their drafts. One count each."""
    now = timezone.now()
    items = []
    officer_of = id_value(scopes.kelurahan_ids(user, Role.OFFICER))
    if officer_of:
        officers = {"now": now, "kelurahan": officer_of}
        items.append(
            AttentionItem(
                title=_("Proposals waiting for your review"),
                counted=Prepared(Activity, _to_review, (), officers),
                url=_proposal_list("status=proposed"),
                priority=Priority.HIGH,
            )
        )
        items.append(
            AttentionItem(
                title=_("Closed voting rounds whose results are not announced"),
                counted=Prepared(VotingRound, _to_announce, (), officers),
                url=url_or_empty("designing:round-list"),
            )
        )
    rts = id_value(scopes.rt_ids(user, Role.RESIDENT))
    if rts:
        kelurahan = {
            a.rt.rw.kelurahan_id
            for a in scopes.current_assignments(user)
            if a.role == Role.RESIDENT and a.rt_id
        }
        residents = {"now": now, "rts": rts, "kelurahan": id_value(kelurahan)}
        items.append(
            AttentionItem(
                title=_("Voting rounds open for you"),
                counted=Prepared(VotingRound, _open_for, (), residents),
                url=url_or_empty("designing:round-list"),
                priority=Priority.HIGH,
            )
        )
    if user.is_authenticated:
        items.append(
            AttentionItem(
                title=_("Your draft proposals"),
                counted=Prepared(Activity, _drafts, (), {"author": user.pk}),
                url=_proposal_list("status=draft"),
                priority=Priority.LOW,
            )
        )
    return items
