"""Where a kelurahan's RT Keren money went, for anyone to see (``/publik/<code>/anggaran/``).

For a period: each RT's ceiling, what it approved (physical and non-physical) and what was
spent, as its spending report (LPJ) adds them up; the kelurahan's money by source and by
nature; and a page of the activities in or past delivery, each with its spending lines, its
products and the photos of its meetings that may be shown to everyone. Nothing names a
resident: the lines and captions pass through ``rtkeren.redact``, receipts and who recorded
what are never shown, and a meeting's photos appear only when every resident recorded there
agreed to photos and none of them was a minor.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import DetailView, View

from rtkeren.mixins import PublicKelurahanMixin
from rtkeren.models import RT, Activity, ActivityShare, BudgetLine, Kelurahan, Period
from rtkeren.paginate import counted_page
from rtkeren.protected_files import protected_file_response
from rtkeren.redact import redactor_for
from rtkeren.services.budget import COMMITTED_STATUSES, committed_per_rt, split_by_shares
from rtkeren.services.periods import period_ceilings_for

from .models import COMPLETION_STATUSES, Attendance, MeetingPhoto, Output, Spending
from .selectors import photos_shown_beyond_committee

#: Activities on a page of the public spending.
ACTIVITIES_PER_PAGE = 5
PAGE_PARAM = "halaman"
#: Photos shown per activity: enough to show it was done.
PHOTOS_PER_ACTIVITY = 4


@dataclass
class RtMoney:
    """One RT's RT Keren money in a period, as its LPJ counts it: its own activities and its
    shares of kelurahan-wide ones, from approval on."""

    rt: RT
    ceiling: int
    approved_fisik: int
    approved_nonfisik: int
    realised: int

    @property
    def approved(self) -> int:
        return self.approved_fisik + self.approved_nonfisik

    @property
    def remaining(self) -> int:
        """What is left of what was approved (the LPJ's "sisa")."""
        return self.approved - self.realised


def _rt_keren(prefix: str = "activity__") -> Q:
    return Q(
        **{
            f"{prefix}funding_source": Activity.Funding.RT_KEREN,
            f"{prefix}status__in": COMMITTED_STATUSES,
        }
    )


def realised_per_rt(
    *, rt_ids: list[int], kelurahan: Kelurahan | None, period: Period
) -> dict[int, int]:
    """What each RT spent of its RT Keren money in the period: its own activities' spending,
    and its part of its kelurahan-wide ones' in proportion to the shares (``split_by_shares``,
    as the LPJ divides it). ``kelurahan`` None: the RTs are anywhere in the city. Three
    queries at most."""
    realised = dict.fromkeys(rt_ids, 0)
    place = {} if kelurahan is None else {"activity__kelurahan": kelurahan}
    own = (
        Spending.objects.filter(
            _rt_keren(), activity__rt__isnull=False, activity__period=period, **place
        )
        .values("activity__rt")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity__rt", "total")
    )
    for rt_id, total in own:
        if rt_id in realised:
            realised[rt_id] += total
    shared = dict(
        Spending.objects.filter(
            _rt_keren(),
            activity__rt__isnull=True,
            activity__period=period,
            **place,
        )
        .values("activity")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("activity", "total")
    )
    if shared:
        shares: dict[int, dict[int, int]] = {}
        for activity_id, rt_id, amount in ActivityShare.objects.filter(
            activity_id__in=list(shared)
        ).values_list("activity_id", "rt_id", "amount"):
            shares.setdefault(activity_id, {})[rt_id] = amount
        for activity_id, payers in shares.items():
            for rt_id, part in split_by_shares(shared[activity_id], payers).items():
                if rt_id in realised:
                    realised[rt_id] += part
    return realised


def rt_money(kelurahan: Kelurahan | None, period: Period) -> list[RtMoney]:
    """Every RT of the kelurahan (of the city for None) with its money in the period, in the
    order of kelurahan code, RW and RT (six queries at most)."""
    rts = RT.objects.select_related("rw__kelurahan").order_by(
        "rw__kelurahan__code", "rw__number", "number"
    )
    if kelurahan is not None:
        rts = rts.filter(rw__kelurahan=kelurahan)
    rts = list(rts)
    rt_ids = [rt.pk for rt in rts]
    ceilings = period_ceilings_for(period, rts)
    committed = committed_per_rt(rt_ids=rt_ids, period_id=period.pk)
    realised = realised_per_rt(rt_ids=rt_ids, kelurahan=kelurahan, period=period)
    return [
        RtMoney(
            rt=rt,
            ceiling=ceilings[rt.pk],
            approved_fisik=committed[rt.pk][0],
            approved_nonfisik=committed[rt.pk][1],
            realised=realised[rt.pk],
        )
        for rt in rts
    ]


@dataclass
class MoneyRow:
    label: str
    approved: int
    realised: int


def money_by(kelurahan: Kelurahan, period: Period) -> tuple[list[MoneyRow], list[MoneyRow]]:
    """The kelurahan's approved budget and spending in the period from every source, by source
    and by nature, of the activities from approval on (two queries)."""
    place = {"activity__kelurahan": kelurahan, "activity__period": period}
    committed = {"activity__status__in": COMMITTED_STATUSES}
    approved = (
        BudgetLine.objects.filter(**place, **committed)
        .values_list("activity__funding_source", "activity__nature")
        .annotate(total=Sum(F("quantity") * F("unit_price")))
        .order_by()
    )
    spent = (
        Spending.objects.filter(**place, **committed)
        .values_list("activity__funding_source", "activity__nature")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    cells: dict[tuple[str, str], list[int]] = {}
    for index, rows in enumerate((approved, spent)):
        for source, nature, total in rows:
            cells.setdefault((source, nature), [0, 0])[index] += total or 0

    def rows_of(choices, position: int) -> list[MoneyRow]:
        rows = []
        for value, label in choices:
            parts = [cell for key, cell in cells.items() if key[position] == value]
            rows.append(
                MoneyRow(
                    label=label,
                    approved=sum(cell[0] for cell in parts),
                    realised=sum(cell[1] for cell in parts),
                )
            )
        return rows

    return rows_of(Activity.Funding.choices, 0), rows_of(Activity.Nature.choices, 1)


def public_photos() -> QuerySet[MeetingPhoto]:
    """Photos anyone may see: of a meeting of an activity in or past delivery where attendance
    was taken, every resident recorded agreed to photos, and no minor was recorded."""
    minors = Attendance.objects.filter(meeting=OuterRef("meeting_id"), is_minor=True)
    return MeetingPhoto.objects.filter(
        photos_shown_beyond_committee("meeting_id"),
        ~Exists(minors),
        meeting__activity__status__in=COMPLETION_STATUSES,
    )


def delivered_page(kelurahan: Kelurahan, period: Period, query, rt: RT | None):
    """A page of the activities in or past delivery, each with its budget, its spending lines,
    its products and up to ``PHOTOS_PER_ACTIVITY`` public photos (four queries)."""
    activities = (
        Activity.objects.filter(kelurahan=kelurahan, period=period, status__in=COMPLETION_STATUSES)
        .select_related("rt__rw")
        .with_budget_total()
        .prefetch_related(
            Prefetch("spendings", queryset=Spending.objects.order_by("spent_on", "pk")),
            Prefetch("outputs", queryset=Output.objects.order_by("pk")),
        )
        .order_by("rt__rw__number", "rt__number", "title", "pk")
    )
    if rt is not None:
        activities = activities.filter(rt=rt)
    page = counted_page(activities, query.get(PAGE_PARAM), ACTIVITIES_PER_PAGE)
    ids = [activity.pk for activity in page.object_list]
    photos: dict[int, list[MeetingPhoto]] = {}
    if ids:
        for photo in (
            public_photos()
            .filter(meeting__activity_id__in=ids)
            .annotate(
                position=Window(
                    RowNumber(), partition_by=F("meeting__activity_id"), order_by=F("pk").asc()
                ),
                activity_id=F("meeting__activity_id"),
            )
            .filter(position__lte=PHOTOS_PER_ACTIVITY)
            .order_by("pk")
        ):
            photos.setdefault(photo.activity_id, []).append(photo)
    texts = [line.item for activity in page.object_list for line in activity.spendings.all()]
    texts += [photo.caption for group in photos.values() for photo in group]
    redacted = redactor_for(texts)
    for activity in page.object_list:
        activity.lines = [(line, redacted(line.item)) for line in activity.spendings.all()]
        activity.spent = sum(line.amount for line in activity.spendings.all())
        activity.public_photos = [
            (photo, redacted(photo.caption)) for photo in photos.get(activity.pk, [])
        ]
    return page


class PublicSpendingView(PublicKelurahanMixin, DetailView):
    """A kelurahan's money in a period, for anyone."""

    template_name = "delivery/public_spending.html"

    def get_context_data(self, **kwargs):
        kelurahan = self.object
        period, periods = self.public_year()
        rts = rt_money(kelurahan, period)
        asked = self.request.GET.get("rt", "")
        rt = None
        if asked:
            rt = next((row.rt for row in rts if str(row.rt.pk) == asked), None)
            if rt is None:
                raise Http404
        by_source, by_nature = money_by(kelurahan, period)
        page = delivered_page(kelurahan, period, self.request.GET, rt)
        return super().get_context_data(
            period=period,
            periods=periods,
            rts=rts,
            rts_with_money=[row for row in rts if row.approved or row.realised],
            rts_without_money=[row for row in rts if not (row.approved or row.realised)],
            chosen_rt=rt,
            totals=RtMoney(
                rt=None,
                ceiling=sum(row.ceiling for row in rts),
                approved_fisik=sum(row.approved_fisik for row in rts),
                approved_nonfisik=sum(row.approved_nonfisik for row in rts),
                realised=sum(row.realised for row in rts),
            ),
            money_tables=[
                (_("By source of money"), by_source),
                (_("Physical and non-physical"), by_nature),
            ],
            page_obj=page,
            activities=page.object_list,
            page_param=PAGE_PARAM,
            **kwargs,
        )


class PublicPhotoView(View):
    """One photo of a public meeting (``public_photos``); 404 for any other."""

    def get(self, request, pk):
        photo = public_photos().filter(pk=pk).first()
        if photo is None:
            raise Http404
        return protected_file_response(photo.image)


urlpatterns = [
    path("<str:code>/anggaran/", PublicSpendingView.as_view(), name="public-spending"),
    path("foto/<int:pk>/", PublicPhotoView.as_view(), name="public-photo"),
]
