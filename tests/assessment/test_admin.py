"""The admin pages of co-assessment open, and criteria are configurable there."""

import pytest
from django.urls import reverse

from assessment.models import Criterion

from .factories import EvaluationFactory, EvaluationRoundFactory, FollowUpFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["criterion", "evaluation", "followup", "evaluationround"])
def test_the_admin_lists_and_pages_open(client, admin_user, activity, officer, kelurahan, model):
    objects = {
        "criterion": Criterion.objects.first(),
        "evaluation": EvaluationFactory(activity=activity),
        "followup": FollowUpFactory(activity=activity, owner=officer),
        "evaluationround": EvaluationRoundFactory(kelurahan=kelurahan, opened_by=officer),
    }
    client.force_login(admin_user)

    assert client.get(reverse(f"admin:assessment_{model}_changelist")).status_code == 200
    change = reverse(f"admin:assessment_{model}_change", args=[objects[model].pk])
    assert client.get(change).status_code == 200


def test_an_admin_adds_a_criterion_that_the_form_then_asks(
    client, admin_user, participant, activity
):
    client.force_login(admin_user)
    client.post(
        reverse("admin:assessment_criterion_add"),
        {
            "code": "keberlanjutan",
            "name": "Keberlanjutan",
            "question": "",
            "order": 6,
            "is_active": "on",
        },
    )
    client.force_login(participant)

    content = client.get(reverse("assessment:evaluation-edit", args=[activity.pk])).content.decode()

    assert Criterion.objects.filter(code="keberlanjutan").exists()
    assert "Keberlanjutan" in content
