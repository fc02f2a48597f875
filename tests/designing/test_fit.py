"""The interest fit: eligible residents of the proposal's scope who share at least one of its
interests, counted once each, for a whole list in its one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from designing import selectors
from designing.fit import fits_refresh
from rtkeren.models import Activity, Resident
from tests import factories as core

from .factories import proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def interests():
    return core.InterestFactory(slug="membatik"), core.InterestFactory(slug="tari")


def test_fit_arithmetic(rt, other_rt, foreign_rt, kelurahan, period, interests):
    batik, tari = interests
    other = core.InterestFactory(slug="kuliner")
    core.ResidentFactory(rt=rt, interests=[batik])
    core.ResidentFactory(rt=rt, interests=[batik, tari])  # shares two: counted once
    core.ResidentFactory(rt=rt, interests=[other])
    core.ResidentFactory(
        rt=rt,
        interests=[tari],
        birth_date=timezone.localdate() - datetime.timedelta(days=16 * 365),
    )
    core.ResidentFactory(rt=rt, interests=[batik], verification=Resident.Verification.PENDING)
    core.ResidentFactory(rt=rt, interests=[batik], status=Resident.Status.MOVED)
    core.ResidentFactory(rt=other_rt, interests=[tari])
    core.ResidentFactory(rt=foreign_rt, interests=[batik])
    in_rt = proposal(rt=rt, period=period)
    in_rt.interests.set([batik, tari])
    wide = proposal(rt=None, kelurahan=kelurahan, period=period)
    wide.interests.set([batik, tari])
    nothing = proposal(rt=rt, period=period)
    # Interests set on the rows directly, as no service does: the stored fit is refreshed here.
    fits_refresh(Activity.objects.all())

    with CaptureQueriesContext(connection) as captured:
        fits = dict(
            selectors.with_fit(
                Activity.objects.filter(pk__in=[in_rt.pk, wide.pk, nothing.pk])
            ).values_list("pk", "fit")
        )

    assert len(captured) == 1
    assert fits == {in_rt.pk: 2, wide.pk: 3, nothing.pk: 0}


def test_the_list_sorts_by_fit_and_shows_it(client, resident_user, rt, period, interests):
    batik, tari = interests
    for _ in range(3):
        core.ResidentFactory(rt=rt, interests=[tari])
    core.ResidentFactory(rt=rt, interests=[batik])
    low = proposal(rt=rt, period=period, title="Membatik")
    low.interests.set([batik])
    high = proposal(rt=rt, period=period, title="Tari")
    high.interests.set([tari])
    fits_refresh(Activity.objects.all())
    client.force_login(resident_user)

    response = client.get(reverse("designing:proposal-list") + "?order=fit")

    assert [a.title for a in response.context["proposals"]] == ["Tari", "Membatik"]
    assert "cocok dengan minat 3 warga" in response.content.decode()
