"""The fit of a proposal, stored (``ProposalFit``) rather than counted on every page.

The fit is the number of eligible residents (``eligible_residents``) of the proposal's scope,
its RT or, for a kelurahan-wide proposal, its kelurahan, who share at least one of its
interests. It changes when a proposal's interests or scope change (``designing.services``
refresh it), when a resident's interests, verification, RT, status or birth date change (the
core's services call ``rtkeren.registry.residents_changed``, which reaches
``residents_changed`` here) and when a resident turns 17. For that last one the first page
that shows fits each day (in each web process) refreshes the fits computed before today, in one
query when there are none (``fits_refresh_stale``).

Only the open proposals follow their inputs: drafts, submitted proposals and those in a voting
round that has not closed. A decided proposal keeps the fit it had when it left them.
``fit_differences`` compares the stored fits of the open proposals with their recomputation
(``manage.py ledger check`` prints them).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.utils import timezone

from rtkeren.models import Activity, Resident, ResidentInterest
from rtkeren.selectors.counting import SubqueryCount

from .models import ProposalFit, VotingRound
from .selectors import PROPOSAL_STATUSES, eligible_residents

BATCH_SIZE = 1000


def open_proposals() -> QuerySet[Activity]:
    """Proposals whose fit follows its inputs: drafts, submitted ones, and those held by a
    voting round that has not closed."""
    in_open_round = VotingRound.objects.not_closed(timezone.now()).filter(proposals=OuterRef("pk"))
    return Activity.objects.filter(Q(status__in=PROPOSAL_STATUSES) | Exists(in_open_round))


def with_computed_fit(queryset: QuerySet[Activity], on: datetime.date) -> QuerySet[Activity]:
    """Annotate ``computed_fit``: the fit counted from the register, as it stands on ``on``."""
    shares = ResidentInterest.objects.filter(
        resident=OuterRef("pk"), interest__activities=OuterRef(OuterRef("pk"))
    )
    matching = eligible_residents(on).filter(Exists(shares))
    in_rt = SubqueryCount(matching.filter(rt_id=OuterRef("rt_id")))
    in_kelurahan = SubqueryCount(matching.filter(rt__rw__kelurahan_id=OuterRef("kelurahan_id")))
    return queryset.annotate(
        computed_fit=Case(When(rt__isnull=True, then=in_kelurahan), default=in_rt)
    )


@transaction.atomic
def fits_refresh(activities: QuerySet[Activity]) -> int:
    """Store the fit of ``activities`` as counted today: one query counts them all beside what
    is stored, then one update and one insert per thousand proposals write the fits that
    changed or were computed before today, and the missing ones. Returns how many it wrote."""
    today = timezone.localdate()
    # In the order of the proposals, so that two processes refreshing at once lock the rows
    # in the same order.
    rows = with_computed_fit(activities.order_by("pk"), today).values_list(
        "pk", "computed_fit", "designing_fit__residents", "designing_fit__computed_on"
    )
    changed, missing = [], []
    for pk, fit, stored, computed_on in rows:
        if computed_on is None:
            missing.append(ProposalFit(activity_id=pk, residents=fit, computed_on=today))
        elif stored != fit or computed_on != today:
            changed.append(ProposalFit(activity_id=pk, residents=fit, computed_on=today))
    ProposalFit.objects.bulk_update(changed, ["residents", "computed_on"], batch_size=BATCH_SIZE)
    # Another process may store the same missing fit at the same moment (the first page of
    # the day in each): the later insert then writes the same value over it.
    ProposalFit.objects.bulk_create(
        missing,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["activity"],
        update_fields=["residents", "computed_on"],
    )
    return len(changed) + len(missing)


def fit_refresh(*, activity: Activity) -> int:
    """Store the fit of one proposal (after its interests or scope changed)."""
    return fits_refresh(Activity.objects.filter(pk=activity.pk))


def residents_changed(resident_ids: Iterable[int], kelurahan_ids: Iterable[int]) -> None:
    """Refresh the open proposals whose fit these residents may change (those of their RTs and
    the kelurahan-wide ones of their kelurahans) and every open proposal of ``kelurahan_ids``
    (a kelurahan someone left). Filled into the core's ``resident_changes``."""
    resident_ids, kelurahan_ids = list(resident_ids), set(kelurahan_ids)
    rt_ids, resident_kelurahan_ids = set(), set()
    for start in range(0, len(resident_ids), BATCH_SIZE):
        places = Resident.objects.filter(
            pk__in=resident_ids[start : start + BATCH_SIZE], rt__isnull=False
        ).values_list("rt_id", "rt__rw__kelurahan_id")
        for rt_id, kelurahan_id in places:
            rt_ids.add(rt_id)
            resident_kelurahan_ids.add(kelurahan_id)
    if not (rt_ids or kelurahan_ids):
        return
    scope = (
        Q(kelurahan_id__in=kelurahan_ids)
        | Q(rt_id__in=rt_ids)
        | Q(rt__isnull=True, kelurahan_id__in=resident_kelurahan_ids)
    )
    fits_refresh(open_proposals().filter(scope))


_fresh_on: datetime.date | None = None


def fits_refresh_stale() -> int:
    """Refresh the open proposals' fits computed before today (residents who turned 17 since
    count now). Runs once a day in each process: the first call of the day asks with one query
    and writes only when something is stale; later calls that day ask nothing. Turned off by
    ``DESIGNING_FIT_DAILY_REFRESH = False`` (the test settings, so that pages' query counts
    stay exact)."""
    global _fresh_on
    today = timezone.localdate()
    if _fresh_on == today or not getattr(settings, "DESIGNING_FIT_DAILY_REFRESH", True):
        return 0
    stale = open_proposals().exclude(designing_fit__computed_on__gte=today)
    refreshed = fits_refresh(stale)
    _fresh_on = today
    return refreshed


def fit_differences() -> list[str]:
    """The open proposals whose stored fit differs from its recomputation today, one line each
    (a proposal with no stored fit counts as 0)."""
    rows = with_computed_fit(
        open_proposals().select_related("designing_fit").order_by("pk"), timezone.localdate()
    )
    lines = []
    for activity in rows:
        stored = getattr(activity, "designing_fit", None)
        held = stored.residents if stored is not None else None
        if held != activity.computed_fit:
            lines.append(
                f"fit of proposal {activity.pk}: stored {held}, recomputed {activity.computed_fit}"
            )
    return lines


def fit_check() -> tuple[list[str], str]:
    """For ``manage.py ledger check``: the differences, and what to say when there are none."""
    return fit_differences(), "The proposals' fit equals its recomputation."
