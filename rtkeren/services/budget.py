"""The RT Keren ceiling, held where money is decided.

Perwali 6/2022 gives each RT a ceiling per year (``Period.rt_ceiling``, or the RT's own
``RtCeiling``). What an RT has committed is the budget of its RT-Keren-funded activities of the
period from approval on (approved, in delivery, delivered, evaluated). Approving a proposal is
refused when it would take that total past the ceiling.

Two approvals in one RT at the same moment must not both slip under the ceiling: each locks the
RT's row (after the activity's own, always in that order) before it adds up what is committed,
so the second waits for the first to commit and then counts it.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from rtkeren.models import RT, Activity, ActivityStatus, BudgetLine, Period
from rtkeren.services.periods import (
    period_ceiling_for,
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


def _committed_lines(*, rt_id: int, period_id: int, excluding: int | None):
    lines = BudgetLine.objects.filter(
        activity__rt_id=rt_id,
        activity__period_id=period_id,
        activity__funding_source=Activity.Funding.RT_KEREN,
        activity__status__in=COMMITTED_STATUSES,
    )
    return lines.exclude(activity_id=excluding) if excluding is not None else lines


def committed_by_nature(
    *, rt_id: int, period_id: int, excluding: int | None = None
) -> tuple[int, int]:
    """The RT Keren budget the RT has committed in the period (whole rupiah), physical and
    non-physical, leaving out the activity ``excluding`` (one query)."""
    sums = dict(
        _committed_lines(rt_id=rt_id, period_id=period_id, excluding=excluding)
        .values("activity__nature")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by()
        .values_list("activity__nature", "total")
    )
    fisik = sums.pop(Activity.Nature.FISIK, 0) or 0
    return fisik, sum(total or 0 for total in sums.values())


def committed_total(*, rt_id: int, period_id: int, excluding: int | None = None) -> int:
    """``committed_by_nature``, added up."""
    return sum(committed_by_nature(rt_id=rt_id, period_id=period_id, excluding=excluding))


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


def ceiling_position(activity: Activity, *, lock: bool = False) -> CeilingPosition | None:
    """The RT's ceiling, what it has committed besides ``activity`` (physical and not) and
    ``activity``'s budget; None when the activity is not paid from an RT's allocation.
    ``lock`` locks the RT's row first (inside a transaction). Four queries."""
    if not (activity.rt_id and activity.counts_against_ceiling):
        return None
    rts = RT.objects.select_related("rw__kelurahan")
    # FOR NO KEY UPDATE: two approvals in the RT queue, records that merely refer to the RT
    # (a new resident) do not.
    locked = rts.select_for_update(of=("self",), no_key=True)
    rt = (locked if lock else rts).get(pk=activity.rt_id)
    fisik, nonfisik = committed_by_nature(
        rt_id=rt.pk, period_id=activity.period_id, excluding=activity.pk
    )
    return CeilingPosition(
        rt=rt,
        period=activity.period,
        ceiling=period_ceiling_for(activity.period, rt),
        committed_fisik=fisik,
        committed_nonfisik=nonfisik,
        amount=activity.budget_total(),
        is_fisik=activity.nature == Activity.Nature.FISIK,
    )


def ceiling_hold(activity: Activity) -> dict | None:
    """Refuse (``ValidationError``, code ``ceiling``) to commit ``activity``'s budget when it
    would take its RT past the ceiling; else return what the decision is recorded with (None
    for an activity outside the RT ceilings). Call inside the transaction that commits it, with
    the activity's row already locked."""
    position = ceiling_position(activity, lock=True)
    if position is None:
        return None
    if not position.excess:
        return position.record()
    raise ValidationError(
        _(
            "%(rt)s: approving this proposal (%(amount)s) would bring the RT Keren budget "
            "approved for %(period)s to %(total)s, above the RT's ceiling of %(ceiling)s. "
            "Already approved: %(committed)s. Over the ceiling by %(excess)s. Lower the budget "
            "or choose another funding source first."
        )
        % {
            "rt": position.rt.full_name,
            "amount": rupiah(position.amount),
            "period": activity.period,
            "total": rupiah(position.total),
            "ceiling": rupiah(position.ceiling),
            "committed": rupiah(position.committed),
            "excess": rupiah(position.excess),
        },
        code="ceiling",
    )


def rts_over_ceiling(
    *, period: Period, default: int, overrides: dict[int, int]
) -> list[tuple[RT, int, int]]:
    """The RTs whose money committed in ``period`` would be above their ceiling if the
    period's default were ``default`` and the RTs' own ceilings ``overrides`` (``{rt_id:
    ceiling}``): ``(rt, committed, ceiling)`` each, in RT order. Two queries."""
    committed = dict(
        BudgetLine.objects.filter(
            activity__period=period,
            activity__rt__isnull=False,
            activity__funding_source=Activity.Funding.RT_KEREN,
            activity__status__in=COMMITTED_STATUSES,
        )
        .values("activity__rt")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by()
        .values_list("activity__rt", "total")
    )
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
