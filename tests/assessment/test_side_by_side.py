"""The two sides' averages per criterion, the evaluator counts and the divergence flag."""

import pytest
from django.urls import reverse

from assessment import selectors
from assessment.models import Side
from assessment.selectors import bar_class

from .factories import EvaluationFactory

pytestmark = pytest.mark.django_db

ALL = ["manfaat", "minat-bakat", "kualitas-pelaksanaan", "luaran-produk", "komunikasi-pengurus"]


def _scores(**values):
    return {code: values.get(code.replace("-", "_"), 4) for code in ALL}


def test_averages_per_side_counts_and_divergence(activity, officer, facilitator):
    EvaluationFactory(activity=activity, scores=_scores(manfaat=2, luaran_produk=1))
    EvaluationFactory(activity=activity, scores=_scores(manfaat=3, luaran_produk=2))
    EvaluationFactory(
        activity=activity, side=Side.GOVERNMENT, evaluator=officer, scores=_scores(manfaat=4)
    )
    EvaluationFactory(
        activity=activity, side=Side.GOVERNMENT, evaluator=facilitator, scores=_scores(manfaat=3)
    )

    summary = selectors.side_by_side(activity)

    rows = {row.criterion.code: row for row in summary.rows}
    assert (summary.community_evaluators, summary.government_evaluators) == (2, 2)
    assert rows["manfaat"].community.average == 2.5
    assert rows["manfaat"].government.average == 3.5
    assert rows["manfaat"].difference == -1.0
    assert rows["manfaat"].diverges
    assert rows["luaran-produk"].difference == -2.5
    assert not rows["kualitas-pelaksanaan"].diverges
    assert [row.criterion.code for row in summary.divergent] == ["manfaat", "luaran-produk"]


def test_one_side_only_has_no_divergence(activity):
    EvaluationFactory(activity=activity, scores=_scores(manfaat=1))

    summary = selectors.side_by_side(activity)

    assert summary.rows[0].government.average is None
    assert summary.divergent == []


@pytest.mark.parametrize(
    ("value", "css"),
    [(None, "bar-w-0"), (1, "bar-w-20"), (2.5, "bar-w-50"), (4.3, "bar-w-85"), (5, "bar-w-100")],
)
def test_bars_take_a_width_class_in_steps_of_five(value, css):
    assert bar_class(value) == css


def test_the_page_shows_numbers_and_a_text_equivalent(client, resident_user, activity, officer):
    EvaluationFactory(activity=activity, scores=_scores(manfaat=2))
    EvaluationFactory(
        activity=activity, side=Side.GOVERNMENT, evaluator=officer, scores=_scores(manfaat=5)
    )
    client.force_login(resident_user)

    content = client.get(
        reverse("assessment:evaluation-summary", args=[activity.pk])
    ).content.decode()

    assert "Kedua pihak berbeda pendapat:" in content
    for shown in ("<table", "<caption", "2,0", "5,0", "-3,0", "bar-w-40", "bar-w-100"):
        assert shown in content
    assert "style=" not in content
