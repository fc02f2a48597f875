"""Co-assessment as spreadsheets: the evaluations of each activity side by side, and the
follow-ups (see ``rtkeren.exports``). Evaluations leave the portal only as counts, averages and
the texts of obstacles and suggestions: never who wrote what."""

from django.db.models import Aggregate, Avg, FloatField, OuterRef, Q, Subquery, TextField, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rtkeren.exports import (
    ACTIVITY_ORDER,
    CHUNK_SIZE,
    Column,
    ExportScope,
    Sheet,
    choice_labels,
    date,
    register_export,
    rt_label,
)
from rtkeren.models import Activity, User
from rtkeren.models.aggregates import count_per_row

from .models import EVALUATED_STATUSES, Criterion, Evaluation, FollowUp, Score, Side
from .selectors import CriterionRow, SideAverage

TEXT_SEPARATOR = "\n"


class JoinedText(Aggregate):
    """The texts of a group joined by newlines, in the SQL of each database the portal runs on."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(TEXT_SEPARATOR), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def exported_criteria() -> list[Criterion]:
    """The criteria in use and those no longer in use that someone was scored on."""
    scored = Score.objects.values("criterion")
    return list(
        Criterion.objects.filter(Q(is_active=True) | Q(pk__in=scored)).order_by("order", "pk")
    )


def _evaluation_columns(criteria: list[Criterion]) -> list[Column | str]:
    return [
        _("Title"),
        _("Kelurahan"),
        _("RT / RW"),
        _("Period"),
        _("Community evaluators"),
        _("Government evaluators"),
        *[
            header
            for criterion in criteria
            for header in (
                _("Community average: %(criterion)s") % {"criterion": criterion.name},
                _("Government average: %(criterion)s") % {"criterion": criterion.name},
            )
        ],
        *[
            _("Sides differ: %(criterion)s") % {"criterion": criterion.name}
            for criterion in criteria
        ],
        _("Obstacles"),
        _("Suggestions"),
    ]


def _average(criterion: Criterion, side: str) -> Subquery:
    scores = Score.objects.filter(
        evaluation__activity=OuterRef("pk"), evaluation__side=side, criterion=criterion
    )
    grouped = scores.order_by().values("evaluation__activity").annotate(average=Avg("value"))
    return Subquery(grouped.values("average"), output_field=FloatField())


def _joined(field: str) -> Subquery:
    texts = Evaluation.objects.filter(activity=OuterRef("pk")).exclude(**{field: ""})
    grouped = texts.order_by().values("activity").annotate(joined=JoinedText(field))
    return Subquery(grouped.values("joined"), output_field=TextField())


def _rounded(average: float | None) -> float | None:
    # One decimal, as on the side-by-side page, so that both flag the same divergences.
    return None if average is None else round(average, 1)


def _divergence(row: CriterionRow) -> str:
    if row.difference is None:
        return ""
    return _("yes") if row.diverges else _("no")


@register_export(
    "evaluasi",
    title=gettext_lazy("Evaluations"),
    columns=_evaluation_columns([]),
    order=70,
)
def evaluations_rows(user, scope: ExportScope) -> Sheet:
    """The columns follow the criteria, read once for both the header and the rows."""
    criteria = exported_criteria()
    return Sheet(_evaluation_columns(criteria), _evaluation_rows(scope, criteria))


def _evaluation_rows(scope: ExportScope, criteria: list[Criterion]):
    averages = {
        f"average_{criterion.pk}_{side}": _average(criterion, side)
        for criterion in criteria
        for side in Side.values
    }
    rows = (
        scope.filter(Activity.objects.filter(status__in=EVALUATED_STATUSES))
        .annotate(
            community_count=count_per_row(
                Evaluation.objects.filter(side=Side.COMMUNITY), "activity"
            ),
            government_count=count_per_row(
                Evaluation.objects.filter(side=Side.GOVERNMENT), "activity"
            ),
            obstacle_texts=_joined("obstacles"),
            suggestion_texts=_joined("suggestions"),
            **averages,
        )
        .order_by(*ACTIVITY_ORDER)
        .values_list(
            "title",
            "kelurahan__name",
            "rt__number",
            "rt__rw__number",
            "period__year",
            "community_count",
            "government_count",
            "obstacle_texts",
            "suggestion_texts",
            *averages,
        )
    )
    for (
        title,
        kelurahan,
        rt_number,
        rw_number,
        year,
        community_count,
        government_count,
        obstacles,
        suggestions,
        *figures,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        found = dict(zip(averages, figures, strict=True))
        compared = [
            CriterionRow(
                criterion,
                *(
                    SideAverage(_rounded(found[f"average_{criterion.pk}_{side}"]), 0)
                    for side in (Side.COMMUNITY, Side.GOVERNMENT)
                ),
            )
            for criterion in criteria
        ]
        yield (
            title,
            kelurahan,
            rt_label(rt_number, rw_number),
            year,
            community_count,
            government_count,
            *[
                value
                for row in compared
                for value in (row.community.average, row.government.average)
            ],
            *[_divergence(row) for row in compared],
            obstacles or "",
            suggestions or "",
        )


@register_export(
    "tindak-lanjut",
    title=gettext_lazy("Follow-ups"),
    columns=[
        gettext_lazy("Activity"),
        gettext_lazy("Kelurahan"),
        gettext_lazy("RT / RW"),
        gettext_lazy("Obstacle"),
        gettext_lazy("Action"),
        gettext_lazy("Owner"),
        date(gettext_lazy("Due on")),
        gettext_lazy("Status"),
        gettext_lazy("Resolution"),
    ],
    order=75,
)
def follow_ups_rows(user, scope: ExportScope):
    statuses = choice_labels(FollowUp.Status.choices)
    rows = (
        scope.filter(FollowUp.objects.all(), "activity__kelurahan")
        .order_by("activity__kelurahan__name", "activity__pk", "due_on", "pk")
        .values_list(
            "activity__title",
            "activity__kelurahan__name",
            "activity__rt__number",
            "activity__rt__rw__number",
            "obstacle",
            "action",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "due_on",
            "status",
            "resolution",
        )
    )
    for (
        title,
        kelurahan,
        rt_number,
        rw_number,
        obstacle,
        action,
        first_name,
        last_name,
        username,
        due_on,
        status,
        resolution,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            title,
            kelurahan,
            rt_label(rt_number, rw_number),
            obstacle,
            action,
            # Shown as everywhere else in the portal, without reading whole users.
            str(User(first_name=first_name, last_name=last_name, username=username)),
            due_on,
            statuses.get(status, status),
            resolution,
        )
