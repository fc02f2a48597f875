"""Every database constraint a form or a service can hit says what is wrong in plain words:
none falls back to Django's "Constraint “name” is violated", which names the constraint."""

import datetime

import pytest
from django.apps import apps
from django.db.models import BaseConstraint
from django.urls import reverse
from django.utils import translation

from assessment.models import FollowUp
from tests.assessment.factories import FollowUpFactory, delivered_activity

PROJECT_APPS = ("rtkeren", "commissioning", "designing", "delivery", "assessment")
DEFAULT = BaseConstraint.default_violation_error_message


def _constraints():
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_has_a_message_of_its_own_in_both_languages():
    found = list(_constraints())
    assert len(found) > 70

    for model, constraint in found:
        where = f"{model._meta.label}.{constraint.name}"
        assert constraint.violation_error_message != DEFAULT, where
        for language in ("id", "en"):
            with translation.override(language):
                message = str(constraint.violation_error_message)
            assert constraint.name not in message, where
            assert "%(name)s" not in message, where
        with translation.override("id"):
            indonesian = str(constraint.violation_error_message)
        with translation.override("en"):
            assert indonesian != str(constraint.violation_error_message), f"{where}: untranslated"


@pytest.mark.django_db
def test_closing_a_follow_up_without_a_resolution_says_what_to_write(client, officer, rt, period):
    activity = delivered_activity(by=officer, rt=rt, period=period)
    follow_up = FollowUpFactory(activity=activity, owner=officer, resolution="")
    client.force_login(officer)

    page = client.post(
        reverse("assessment:followup-update", args=[follow_up.pk]),
        {
            "status": "done",
            "resolution": "",
            "owner": officer.pk,
            "due_on": (datetime.date.today() + datetime.timedelta(days=7)).isoformat(),
        },
    )

    assert page.status_code == 200
    text = page.content.decode()
    assert "follow_up_done_has_resolution" not in text
    assert "Tuliskan apa yang sudah dilakukan sebelum menandai tindak lanjut selesai." in text
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
