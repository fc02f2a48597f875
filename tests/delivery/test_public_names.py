"""Beyond those who keep an activity's records, an implementer is named only with their
recorded consent to their name being shown; otherwise only their RT is."""

import pytest
from django.urls import reverse

from delivery.models import Implementer
from rtkeren.models import Consent
from rtkeren.services.privacy import consent_give, consent_withdraw
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def implementer(running, rt):
    resident = core.ResidentFactory(rt=rt, name="Wahyu Kusumaningrum")
    factories.ImplementerFactory(
        activity=running, resident=resident, role=Implementer.Role.COORDINATOR
    )
    return resident


def page(client, user, activity) -> str:
    client.force_login(user)
    return client.get(reverse("delivery:activity-detail", args=[activity.pk])).content.decode()


def test_without_consent_a_resident_sees_only_the_rt(client, resident_user, running, implementer):
    html = page(client, resident_user, running)

    assert implementer.name not in html
    assert "Warga RT 002 / RW 007" in html


def test_with_consent_the_name_is_shown(client, resident_user, running, implementer, officer):
    consent_give(resident=implementer, purpose=Consent.Purpose.PUBLIC_NAME, by=officer)

    assert implementer.name in page(client, resident_user, running)


def test_a_withdrawn_consent_hides_the_name_again(
    client, resident_user, running, implementer, officer
):
    consent_give(resident=implementer, purpose=Consent.Purpose.PUBLIC_NAME, by=officer)
    consent_withdraw(resident=implementer, purpose=Consent.Purpose.PUBLIC_NAME, by=officer)

    assert implementer.name not in page(client, resident_user, running)


@pytest.mark.parametrize("persona", ["officer", "rt_chair", "facilitator"])
def test_the_record_keepers_see_names(client, request, persona, running, implementer):
    assert implementer.name in page(client, request.getfixturevalue(persona), running)
