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

from rtkeren.models import RT, Activity, ActivityStatus, BudgetLine
from rtkeren.services.periods import period_ceiling_for
from rtkeren.templatetags.rtkeren import rupiah

#: From approval on, an activity's budget is money the RT has committed.
COMMITTED_STATUSES = (
    ActivityStatus.APPROVED,
    ActivityStatus.IN_DELIVERY,
    ActivityStatus.DELIVERED,
    ActivityStatus.EVALUATED,
)


def committed_total(*, rt_id: int, period_id: int, excluding: int | None = None) -> int:
    """The RT Keren budget the RT has committed in the period (whole rupiah), leaving out the
    activity ``excluding``."""
    lines = BudgetLine.objects.filter(
        activity__rt_id=rt_id,
        activity__period_id=period_id,
        activity__funding_source=Activity.Funding.RT_KEREN,
        activity__status__in=COMMITTED_STATUSES,
    )
    if excluding is not None:
        lines = lines.exclude(activity_id=excluding)
    total = lines.aggregate(total=Sum(F("quantity") * F("unit_price")))["total"]
    return total or 0


@dataclass(frozen=True)
class CeilingPosition:
    """Where an RT stands against its ceiling if ``activity`` is approved."""

    rt: RT
    ceiling: int
    committed: int
    amount: int

    @property
    def total(self) -> int:
        return self.committed + self.amount

    @property
    def excess(self) -> int:
        return max(self.total - self.ceiling, 0)

    @property
    def remaining(self) -> int:
        return max(self.ceiling - self.total, 0)


def ceiling_position(activity: Activity, *, lock: bool = False) -> CeilingPosition | None:
    """The RT's ceiling, what it has committed besides ``activity`` and ``activity``'s budget;
    None when the activity is not paid from an RT's allocation. ``lock`` locks the RT's row
    first (inside a transaction). Three queries."""
    if not (activity.rt_id and activity.counts_against_ceiling):
        return None
    rts = RT.objects.select_related("rw__kelurahan")
    # FOR NO KEY UPDATE: two approvals in the RT queue, records that merely refer to the RT
    # (a new resident) do not.
    locked = rts.select_for_update(of=("self",), no_key=True)
    rt = (locked if lock else rts).get(pk=activity.rt_id)
    return CeilingPosition(
        rt=rt,
        ceiling=period_ceiling_for(activity.period, rt),
        committed=committed_total(rt_id=rt.pk, period_id=activity.period_id, excluding=activity.pk),
        amount=activity.budget_total(),
    )


def ceiling_hold(activity: Activity) -> None:
    """Refuse (``ValidationError``, code ``ceiling``) to commit ``activity``'s budget when it
    would take its RT past the ceiling. Call inside the transaction that commits it, with the
    activity's row already locked."""
    position = ceiling_position(activity, lock=True)
    if position is None or not position.excess:
        return
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
