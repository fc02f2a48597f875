"""The RT Keren ceiling, held where money is decided.

Perwali 6/2022 gives each RT a ceiling per year (``Period.rt_ceiling``, or the RT's own
``RtCeiling``). What an RT has committed is the budget of its RT-Keren-funded activities of the
period from approval on (approved, in delivery, delivered, evaluated). Approving a proposal is
refused when it would take that total past the ceiling.

Two approvals in one RT at the same moment must not both slip under the ceiling: each locks the
RT's row (after the activity's own, always in that order) before it adds up what is committed,
so the second waits for the first to commit and then counts it.

A kelurahan-wide activity paid from RT allocations names the RTs that pay and how much each
(``ActivityShare``); the shares add up to its budget when it is approved, and each counts in its
RT exactly as an RT's own activity of that amount would. Its approval locks every paying RT's
row, in the order of their ids, so that two approvals sharing RTs never wait on each other in a
circle.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext as _

from rtkeren.models import RT, Activity, ActivityShare, ActivityStatus, BudgetLine, Period
from rtkeren.permissions import can
from rtkeren.prepared import Prepared, id_value
from rtkeren.services.periods import (
    period_ceiling_for,
    period_ceilings_for,
    period_split_ok,
    period_split_warning,
)
from rtkeren.templatetags.rtkeren import rupiah

#: From approval on, an activity's budget is money the RT has committed.
COMMITTED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)


def _committed(prefix: str = "activity__") -> Q:
    """Rows of activities whose RT Keren money is committed (through ``prefix``)."""
    return Q(
        **{
            f"{prefix}funding_source": Activity.Funding.RT_KEREN,
            f"{prefix}status__in": COMMITTED_STATUSES,
        }
    )


def committed_per_rt(
    *, rt_ids: Iterable[int], period_id: int, excluding: int | None = None
) -> dict[int, tuple[int, int]]:
    """The RT Keren money each of ``rt_ids`` has committed in the period (whole rupiah), as
    ``{rt_id: (physical, non-physical)}``: the budgets of its own activities and its shares of
    kelurahan-wide ones, leaving out the activity ``excluding``. Two queries."""
    rt_ids = list(rt_ids)
    totals = {rt_id: [0, 0] for rt_id in rt_ids}
    own = BudgetLine.objects.filter(
        _committed(), activity__rt_id__in=rt_ids, activity__period_id=period_id
    )
    shares = ActivityShare.objects.filter(
        _committed(),
        rt_id__in=rt_ids,
        activity__rt__isnull=True,
        activity__period_id=period_id,
    )
    if excluding is not None:
        own = own.exclude(activity_id=excluding)
        shares = shares.exclude(activity_id=excluding)
    rows = [
        *own.values("activity__rt", "activity__nature")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by()
        .values_list("activity__rt", "activity__nature", "total"),
        *shares.values("rt", "activity__nature")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("rt", "activity__nature", "total"),
    ]
    for rt_id, nature, total in rows:
        totals[rt_id][0 if nature == Activity.Nature.FISIK else 1] += total or 0
    return {rt_id: (fisik, nonfisik) for rt_id, (fisik, nonfisik) in totals.items()}


def committed_by_nature(
    *, rt_id: int, period_id: int, excluding: int | None = None
) -> tuple[int, int]:
    """The RT Keren money one RT has committed in the period, physical and non-physical
    (``committed_per_rt``)."""
    return committed_per_rt(rt_ids=[rt_id], period_id=period_id, excluding=excluding)[rt_id]


def committed_total(*, rt_id: int, period_id: int, excluding: int | None = None) -> int:
    """``committed_by_nature``, added up."""
    return sum(committed_by_nature(rt_id=rt_id, period_id=period_id, excluding=excluding))


def pays_from_rt_shares(activity: Activity) -> bool:
    """A kelurahan-wide activity paid from RT allocations: its RTs and their shares decide."""
    return activity.rt_id is None and activity.counts_against_ceiling


@dataclass(frozen=True)
class CeilingPosition:
    """Where an RT stands against its ceiling and the period's split if ``activity`` is
    approved."""

    rt: RT
    period: Period
    ceiling: int
    committed_fisik: int
    committed_nonfisik: int
    amount: int
    is_fisik: bool

    @property
    def committed(self) -> int:
        return self.committed_fisik + self.committed_nonfisik

    @property
    def total(self) -> int:
        return self.committed + self.amount

    @property
    def excess(self) -> int:
        return max(self.total - self.ceiling, 0)

    @property
    def remaining(self) -> int:
        return max(self.ceiling - self.total, 0)

    @property
    def available(self) -> int:
        """What is left of the ceiling before this activity: what it may still take."""
        return max(self.ceiling - self.committed, 0)

    @property
    def fisik_after(self) -> int:
        return self.committed_fisik + (self.amount if self.is_fisik else 0)

    @property
    def nonfisik_after(self) -> int:
        return self.committed_nonfisik + (0 if self.is_fisik else self.amount)

    @property
    def split_warning(self) -> str | None:
        """The period's split warning for the RT's approved plan with this activity in it."""
        return period_split_warning(
            period=self.period, fisik=self.fisik_after, nonfisik=self.nonfisik_after
        )

    def record(self) -> dict:
        """What the decision is recorded with (``ActivityTransition.budget_check``)."""
        return {
            "ceiling": self.ceiling,
            "committed": self.committed,
            "amount": self.amount,
            "fisik_after": self.fisik_after,
            "nonfisik_after": self.nonfisik_after,
            "fisik_percent": self.period.fisik_percent,
            "split_tolerance": self.period.split_tolerance,
            "split_threshold": self.period.split_threshold,
            "split_ok": period_split_ok(
                period=self.period, fisik=self.fisik_after, nonfisik=self.nonfisik_after
            ),
        }


def payers_of(activity: Activity) -> dict[int, int]:
    """Who pays how much of ``activity`` from their RT Keren allocation: ``{rt_id: amount}``;
    empty for an activity paid from another source or a kelurahan-wide one without shares."""
    if not activity.counts_against_ceiling:
        return {}
    if activity.rt_id:
        return {activity.rt_id: activity.budget_total()}
    return dict(activity.shares.order_by("rt_id").values_list("rt_id", "amount"))


def ceiling_positions(activity: Activity, *, lock: bool = False) -> list[CeilingPosition]:
    """Where each RT paying for ``activity`` stands against its ceiling if it is approved: the
    RT's ceiling, what it has committed besides ``activity`` (physical and not) and its part
    of ``activity`` (the whole budget for an RT's activity, its share for a kelurahan-wide
    one), in the order of the RTs' ids; empty when no RT allocation pays. ``lock`` locks the
    RTs' rows, in that order (inside a transaction). Five queries however many RTs pay."""
    payers = payers_of(activity)
    if not payers:
        return []
    rts = RT.objects.filter(pk__in=payers).select_related("rw__kelurahan").order_by("pk")
    if lock:
        # FOR NO KEY UPDATE: two approvals in the RT queue, records that merely refer to the
        # RT (a new resident) do not.
        rts = rts.select_for_update(of=("self",), no_key=True)
    rts = list(rts)
    committed = committed_per_rt(rt_ids=payers, period_id=activity.period_id, excluding=activity.pk)
    ceilings = period_ceilings_for(activity.period, rts)
    return [
        CeilingPosition(
            rt=rt,
            period=activity.period,
            ceiling=ceilings[rt.pk],
            committed_fisik=committed[rt.pk][0],
            committed_nonfisik=committed[rt.pk][1],
            amount=payers[rt.pk],
            is_fisik=activity.nature == Activity.Nature.FISIK,
        )
        for rt in rts
    ]


def draft_ceiling_position(
    *, rt: RT, period: Period, amount: int, is_fisik: bool, excluding: int | None = None
) -> CeilingPosition:
    """Where ``rt`` would stand if a budget of ``amount`` were approved in ``period``, for a
    proposal still being drafted (``excluding``: the proposal itself, once saved). Three
    queries."""
    fisik, nonfisik = committed_by_nature(rt_id=rt.pk, period_id=period.pk, excluding=excluding)
    return CeilingPosition(
        rt=rt,
        period=period,
        ceiling=period_ceiling_for(period, rt),
        committed_fisik=fisik,
        committed_nonfisik=nonfisik,
        amount=amount,
        is_fisik=is_fisik,
    )


def ceiling_position(activity: Activity, *, lock: bool = False) -> CeilingPosition | None:
    """``ceiling_positions`` of an RT's own activity; None for any other."""
    if not activity.rt_id:
        return None
    positions = ceiling_positions(activity, lock=lock)
    return positions[0] if positions else None


def shares_error(activity: Activity, shares: Mapping[int, int] | None = None) -> str | None:
    """Why the shares of a kelurahan-wide activity paid from RT allocations cannot pay for it
    as it stands (none named, or not adding up to its budget); None when they can, or when
    the activity is not paid that way. ``shares`` defaults to those recorded."""
    if not pays_from_rt_shares(activity):
        return None
    if shares is None:
        shares = payers_of(activity)
    if not shares:
        return _(
            "This kelurahan-wide activity is paid from RT allocations: name the RTs that pay "
            "and how much each before approving it."
        )
    total, budget = sum(shares.values()), activity.budget_total()
    if total != budget:
        return _(
            "The RTs' shares add up to %(shares)s, but the budget is %(budget)s: they must add "
            "up to the budget exactly."
        ) % {"shares": rupiah(total), "budget": rupiah(budget)}
    return None


def _excess_message(position: CeilingPosition, activity: Activity) -> str:
    if activity.rt_id:
        text = _(
            "%(rt)s: approving this proposal (%(amount)s) would bring the RT Keren budget "
            "approved for %(period)s to %(total)s, above the RT's ceiling of %(ceiling)s. "
            "Already approved: %(committed)s. Over the ceiling by %(excess)s. Lower the budget "
            "or choose another funding source first."
        )
    else:
        text = _(
            "%(rt)s: its share of this proposal (%(amount)s) would bring the RT Keren budget "
            "approved for %(period)s to %(total)s, above the RT's ceiling of %(ceiling)s. "
            "Already approved: %(committed)s. Over the ceiling by %(excess)s. Lower its share "
            "or the budget first."
        )
    return text % {
        "rt": position.rt.full_name,
        "amount": rupiah(position.amount),
        "period": activity.period,
        "total": rupiah(position.total),
        "ceiling": rupiah(position.ceiling),
        "committed": rupiah(position.committed),
        "excess": rupiah(position.excess),
    }


def ceiling_hold(activity: Activity) -> dict | None:
    """Refuse (``ValidationError``) to commit ``activity``'s budget when it would take an RT
    that pays for it past its ceiling (code ``ceiling``), or when a kelurahan-wide activity
    paid from RT allocations has no shares adding up to its budget (code ``shares``); else
    return what the decision is recorded with (None for an activity outside the RT ceilings).
    Call inside the transaction that commits it, with the activity's row already locked."""
    error = shares_error(activity)
    if error:
        raise ValidationError(error, code="shares")
    positions = ceiling_positions(activity, lock=True)
    if not positions:
        return None
    over = [
        ValidationError(_excess_message(position, activity), code="ceiling")
        for position in positions
        if position.excess
    ]
    if over:
        raise ValidationError(over)
    if activity.rt_id:
        return positions[0].record()
    return {
        "shares": [
            {"rt": position.rt.pk, "rt_name": position.rt.full_name, **position.record()}
            for position in positions
        ]
    }


def rts_over_ceiling(
    *, period: Period, default: int, overrides: dict[int, int]
) -> list[tuple[RT, int, int]]:
    """The RTs whose money committed in ``period`` would be above their ceiling if the
    period's default were ``default`` and the RTs' own ceilings ``overrides`` (``{rt_id:
    ceiling}``): ``(rt, committed, ceiling)`` each, in RT order. Three queries."""
    committed: dict[int, int] = {}
    own = (
        BudgetLine.objects.filter(_committed(), activity__period=period, activity__rt__isnull=False)
        .values("activity__rt")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by()
        .values_list("activity__rt", "total")
    )
    shares = (
        ActivityShare.objects.filter(
            _committed(), activity__period=period, activity__rt__isnull=True
        )
        .values("rt")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("rt", "total")
    )
    for rt_id, total in (*own, *shares):
        committed[rt_id] = committed.get(rt_id, 0) + total
    over = {
        rt_id: total for rt_id, total in committed.items() if total > overrides.get(rt_id, default)
    }
    rts = RT.objects.filter(pk__in=over).select_related("rw__kelurahan").order_by("pk")
    return [(rt, over[rt.pk], overrides.get(rt.pk, default)) for rt in rts]


def ceilings_check(*, period: Period, default: int, overrides: dict[int, int]) -> None:
    """Refuse ceilings under what RTs have already committed in ``period`` (the admin's
    period page): lowering a ceiling must not leave an RT's approved budget above it."""
    over = rts_over_ceiling(period=period, default=default, overrides=overrides)
    if not over:
        return
    raise ValidationError(
        [
            _(
                "%(rt)s has %(committed)s of RT Keren budget approved in %(period)s: its "
                "ceiling cannot be lower (%(ceiling)s)."
            )
            % {
                "rt": rt.full_name,
                "committed": rupiah(committed),
                "period": period,
                "ceiling": rupiah(ceiling),
            }
            for rt, committed, ceiling in over
        ],
        code="ceiling",
    )


#: Shares may change until the activity is approved; from then on they are money committed.
SHARE_STATUSES = (ActivityStatus.DRAFT, ActivityStatus.PROPOSED)


def activity_shares_set(
    *, activity: Activity, by, amounts: Mapping[int, int]
) -> list[ActivityShare]:
    """Record which RTs of the kelurahan pay how much of the kelurahan-wide ``activity`` from
    their RT Keren allocation (``{rt_id: amount}``; zero or missing: that RT pays nothing). The
    officer of the kelurahan decides, before approval; the amounts must add up to the budget,
    or all be zero to clear them. Each change is kept in the shares' history."""
    with transaction.atomic():
        locked = Activity.objects.select_for_update().select_related("period").get(pk=activity.pk)
        if not can(by, "rtkeren.share_activity", locked):
            raise PermissionDenied(_("Only the kelurahan's officers decide the RTs' shares."))
        if not pays_from_rt_shares(locked):
            raise ValidationError(
                _("Only a kelurahan-wide activity paid from RT allocations has RT shares."),
                code="shares",
            )
        if locked.status not in SHARE_STATUSES:
            raise ValidationError(
                _("The RTs' shares can no longer change: the activity is %(status)s.")
                % {"status": locked.get_status_display().lower()},
                code="shares",
            )
        wanted = {int(rt_id): int(amount) for rt_id, amount in amounts.items() if amount}
        if any(amount < 0 for amount in wanted.values()):
            raise ValidationError(_("A share cannot be negative."), code="shares")
        in_kelurahan = set(
            RT.objects.filter(pk__in=wanted, rw__kelurahan_id=locked.kelurahan_id).values_list(
                "pk", flat=True
            )
        )
        if in_kelurahan != set(wanted):
            raise ValidationError(
                _("Only RTs of the activity's kelurahan can pay a share."), code="shares"
            )
        error = shares_error(locked, wanted) if wanted else None
        if error:
            raise ValidationError(error, code="shares")
        current = {share.rt_id: share for share in locked.shares.all()}
        for rt_id, share in current.items():
            if rt_id not in wanted:
                share.delete()
            elif share.amount != wanted[rt_id]:
                share.amount = wanted[rt_id]
                share.save(update_fields=["amount"])
        for rt_id in sorted(set(wanted) - set(current)):
            ActivityShare.objects.create(activity=locked, rt_id=rt_id, amount=wanted[rt_id])
        return list(locked.shares.select_related("rt__rw"))


def split_by_shares(total: int, shares: Mapping[int, int]) -> dict[int, int]:
    """``total`` divided in proportion to ``shares`` (``{key: amount}``), in whole rupiah that
    add up to ``total`` exactly: each gets the whole part of its proportion, and the rupiah
    left over go one each to the largest remainders (ties to the smaller key)."""
    whole = sum(shares.values())
    if whole <= 0:
        return dict.fromkeys(shares, 0)
    parts = {key: total * amount // whole for key, amount in shares.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(shares, key=lambda key: (-(total * shares[key] % whole), key))
    for key in by_remainder[:left]:
        parts[key] += 1
    return parts


def shared_activities(*, rt_id: int, period_id: int, statuses) -> models.QuerySet:
    """The kelurahan-wide activities of the period, paid from RT allocations, of which the RT
    pays a share, each with ``share_amount`` (the RT's share) annotated."""
    own_share = ActivityShare.objects.filter(activity=OuterRef("pk"), rt_id=rt_id)
    return Activity.objects.filter(
        rt__isnull=True,
        period_id=period_id,
        funding_source=Activity.Funding.RT_KEREN,
        status__in=statuses,
        pk__in=ActivityShare.objects.filter(rt_id=rt_id).values("activity"),
    ).annotate(share_amount=Subquery(own_share.values("amount")[:1]))


def shares_of_realised(realised: Mapping[int, int], *, rt_id: int) -> dict[int, int]:
    """The RT's part of what was spent on kelurahan-wide activities (``{activity_id: spent}``),
    in proportion to the shares (``split_by_shares``, so the RTs' parts add up to what was
    spent): ``{activity_id: the RT's part}``. One query (prepared), none when nothing was spent."""
    spent = id_value(key for key, amount in realised.items() if amount)
    shares: dict[int, dict[int, int]] = {}
    for activity_id, payer, amount in Prepared(
        ActivityShare, _shares_of, (), {"activities": spent}
    ).tuples():
        shares.setdefault(activity_id, {})[payer] = amount
    return {
        activity_id: split_by_shares(realised[activity_id], payers).get(rt_id, 0)
        for activity_id, payers in shares.items()
    }


def _shares_of(shape: tuple, values: dict) -> models.QuerySet:
    return ActivityShare.objects.filter(activity_id__in=values["activities"]).values_list(
        "activity_id", "rt_id", "amount"
    )
