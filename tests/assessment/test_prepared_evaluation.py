"""The evaluation page reads its evaluations, scores and follow-ups through queries prepared
once per shape (``rtkeren.prepared``), and its criteria from the cache of public records: the
rows Django's own queries give, for every reader who may see the page, and on a later request
no query of the page is built again.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared run below also compares its SQL
and parameters with those Django compiles for the same values."""

import pytest
from django.db.models import Avg, Count, Q
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse

from assessment import selectors
from assessment.models import Criterion, Evaluation, FollowUp, Score, Side
from rtkeren.models import Activity
from rtkeren.permissions import can
from rtkeren.selectors.residents import acting_resident
from tests import factories as core
from tests.prepared_support import READERS, all_prepared

from .factories import EvaluationFactory, FollowUpFactory, delivered_activity, take_part

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]

BUILDS = (
    selectors._evaluation_comments,
    selectors._follow_ups_of_activity,
    selectors._score_averages,
    selectors._evaluator_counts,
    selectors._own_evaluation,
)


@pytest.fixture
def evaluated(activity, officer, resident_user, rt_chair):
    """The activity evaluated from both sides, one evaluation recorded on a resident's behalf,
    one without obstacles or suggestions, on a criterion no longer in use too, with
    follow-ups; and another activity's evaluation beside it."""
    take_part(resident_user.resident, activity)
    own = EvaluationFactory(
        activity=activity, evaluator=resident_user, resident=resident_user.resident
    )
    EvaluationFactory(
        activity=activity, side=Side.GOVERNMENT, evaluator=officer, scores={"manfaat": 2}
    )
    EvaluationFactory(activity=activity, obstacles="", suggestions="", scores={"manfaat": 5})
    on_behalf = EvaluationFactory(
        activity=activity,
        evaluator=None,
        resident=_participant(activity),
        on_behalf=True,
        recorded_by=rt_chair,
        obstacles="",
    )
    retired = Criterion.objects.create(code="lama", name="Lama", question="?", order=99)
    Score.objects.create(evaluation=on_behalf, criterion=retired, value=1)
    retired.is_active = False
    retired.save()
    FollowUpFactory(activity=activity, evaluation=own, owner=officer)
    FollowUpFactory(
        activity=activity, owner=rt_chair, status=FollowUp.Status.DONE, resolution="Selesai."
    )
    other = delivered_activity(by=officer, rt=activity.rt, period=activity.period)
    EvaluationFactory(activity=other, scores={"manfaat": 1})
    return activity


def _participant(activity):
    resident = core.ResidentFactory(rt=activity.rt, name="Mbah Sarinah")
    take_part(resident, activity)
    return resident


def _side_by_side_as_before(activity) -> tuple:
    """The averages and counts as ``aggregate()`` and a ``values()`` query read them."""
    averages = {
        (row["criterion_id"], row["evaluation__side"]): (round(row["average"], 1), row["scores"])
        for row in Score.objects.filter(evaluation__activity=activity)
        .values("criterion_id", "evaluation__side")
        .annotate(average=Avg("value"), scores=Count("pk"))
        .order_by()
    }
    counts = Evaluation.objects.filter(activity=activity).aggregate(
        community=Count("pk", filter=Q(side=Side.COMMUNITY)),
        government=Count("pk", filter=Q(side=Side.GOVERNMENT)),
        on_behalf=Count("pk", filter=Q(on_behalf=True)),
    )
    scored = Score.objects.filter(evaluation__activity=activity).values("criterion_id")
    criteria = Criterion.objects.filter(Q(is_active=True) | Q(pk__in=scored))
    rows = [
        (
            criterion.pk,
            averages.get((criterion.pk, Side.COMMUNITY), (None, 0)),
            averages.get((criterion.pk, Side.GOVERNMENT), (None, 0)),
        )
        for criterion in criteria.order_by("order", "pk")
    ]
    return rows, counts["community"], counts["government"], counts["on_behalf"]


def _side_by_side(summary) -> tuple:
    rows = [
        (
            row.criterion.pk,
            (row.community.average, row.community.scores),
            (row.government.average, row.government.scores),
        )
        for row in summary.rows
    ]
    return rows, summary.community_evaluators, summary.government_evaluators, summary.on_behalf


def _own_as_before(user, activity):
    resident = acting_resident(user)
    mine = Q(evaluator=user.pk) | (Q(resident=resident) if resident is not None else Q())
    return Evaluation.objects.filter(mine, activity=activity).first()


@pytest.mark.parametrize("reader", READERS)
def test_the_evaluation_page_prepared_shows_what_djangos_queries_read(
    request, client, reader, evaluated
):
    user = request.getfixturevalue(reader)
    client.force_login(user)

    response = client.get(reverse("assessment:evaluation-summary", args=[evaluated.pk]))

    if not can(user, "assessment.view_evaluations", evaluated):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    context = response.context
    comments = (
        Evaluation.objects.filter(activity=evaluated)
        .exclude(obstacles="", suggestions="")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-created_at", "-pk")
    )
    assert [(e.pk, e.follow_up_count) for e in context["comments_page"].object_list] == [
        (e.pk, e.follow_up_count) for e in comments
    ]
    assert context["comments_page"].paginator.count == 3
    follow_ups = FollowUp.objects.filter(activity=evaluated).order_by("status", "due_on", "pk")
    assert [f.pk for f in context["follow_ups"]] == [f.pk for f in follow_ups]
    assert context["follow_up_count"] == 2
    assert _side_by_side(context["summary"]) == _side_by_side_as_before(evaluated)
    assert context["own"] == _own_as_before(user, evaluated)
    for build in BUILDS:
        assert all_prepared(build), build.__name__


@pytest.mark.parametrize("with_scores", [False, True])
@pytest.mark.parametrize("reader", ["resident_user", "officer", "rt_chair", "outsider"])
def test_the_own_evaluation_prepared_is_djangos(request, reader, with_scores, evaluated):
    user = request.getfixturevalue(reader)

    own = selectors.own_evaluation(user=user, activity=evaluated, with_scores=with_scores)

    before = _own_as_before(user, evaluated)
    assert own == before
    if with_scores and own is not None:
        assert sorted(s.pk for s in own.scores.all()) == sorted(s.pk for s in before.scores.all())
    assert all_prepared(selectors._own_evaluation)


def test_the_criteria_without_an_activity_are_those_in_use(evaluated):
    assert selectors.criteria_for() == list(Criterion.objects.active().order_by("order", "pk"))
    assert "lama" in [row.criterion.code for row in selectors.side_by_side(evaluated).rows]
    assert all_prepared(selectors._criteria)


def test_a_criterion_added_or_retired_shows_on_the_next_request(client, officer, evaluated):
    """The criteria come from the cache of public records: a criterion saved anywhere renews
    them, and one retired stays on the page of an activity scored on it alone."""
    client.force_login(officer)
    url = reverse("assessment:evaluation-summary", args=[evaluated.pk])
    client.get(url)
    client.get(url)

    Criterion.objects.create(code="baru", name="Keberlanjutan", question="?", order=100)
    retired = Criterion.objects.get(code="manfaat")
    retired.is_active = False
    retired.save()
    summary = client.get(url).context["summary"]

    assert [row.criterion.code for row in summary.rows][-1] == "baru"
    assert "manfaat" in [row.criterion.code for row in summary.rows]  # scored here
    assert _side_by_side(summary) == _side_by_side_as_before(evaluated)
    other = delivered_activity(by=officer, rt=evaluated.rt, period=evaluated.period)
    codes = [row.criterion.code for row in selectors.side_by_side(other).rows]
    assert "manfaat" not in codes
    assert "lama" not in codes
    assert "baru" in codes


def test_nobody_has_evaluated_yet(activity):
    summary = selectors.side_by_side(activity)

    assert summary.is_empty
    assert _side_by_side(summary) == _side_by_side_as_before(activity)


def test_a_later_request_builds_none_of_the_pages_queries(
    client, settings, monkeypatch, officer, evaluated
):
    """Past the first request of its shape, the page's queries of activities, evaluations,
    scores, criteria and follow-ups are neither built nor compiled by Django."""
    settings.PREPARED_QUERIES_CHECK = False
    client.force_login(officer)
    url = reverse("assessment:evaluation-summary", args=[evaluated.pk])
    assert client.get(url).status_code == 200
    compiled, depth = [], [0]
    as_sql = SQLCompiler.as_sql

    def recording(self, *args, **kwargs):
        if not depth[0]:
            compiled.append(self.query.model)
        depth[0] += 1
        try:
            return as_sql(self, *args, **kwargs)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(SQLCompiler, "as_sql", recording)

    assert client.get(url).status_code == 200

    built = set(compiled) & {Activity, Evaluation, Score, Criterion, FollowUp}
    assert not built


def test_the_comments_run_on_their_generic_plan(activity):
    """Their plan is the same for every activity (``docs/performance.md``): PostgreSQL is told
    not to plan them again on every read."""
    assert selectors.evaluation_comments(activity).generic_plan
