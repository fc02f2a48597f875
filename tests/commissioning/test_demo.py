"""The demo data of the stage (seeded once for the module, rolled back at its end)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from commissioning.models import Endorsement, Forum, Potential
from rtkeren.models import Participation, Stage, User


@pytest.mark.django_db
def test_the_demo_has_potentials_with_endorsements_and_two_forums(seeded):
    potentials = Potential.objects.filter(kelurahan__code="35.72.02.1002")
    assert potentials.count() == 7
    assert potentials.filter(rt__number=2, rt__rw__number=7).count() == 4
    assert potentials.filter(rt__isnull=True).count() == 2
    assert Endorsement.objects.count() >= 30
    held = Forum.objects.get(status=Forum.Status.HELD)
    assert held.rt.number == 2
    assert held.attendances.filter(resident__isnull=False).count() >= 30
    assert held.attendances.filter(resident__isnull=True).count() == 3
    assert held.minutes
    assert held.priorities.count() == 3
    assert held.priorities.filter(potential__isnull=False).count() == 3
    coming = Forum.objects.get(status=Forum.Status.SCHEDULED)
    assert coming.rt is None
    assert coming.rw is None
    assert coming.invited_elements.count() == 13
    assert Participation.objects.filter(stage=Stage.COMMISSIONING).count() >= 60


@pytest.mark.django_db
def test_running_the_demo_again_creates_nothing(seeded):
    before = (
        Potential.objects.count(),
        Endorsement.objects.count(),
        Forum.objects.count(),
        Participation.objects.count(),
    )
    output = io.StringIO()

    call_command("seed_demo", "--force", stdout=output)

    assert "commissioning: 0 potentials, 0 endorsements, 0 forums created" in output.getvalue()
    assert before == (
        Potential.objects.count(),
        Endorsement.objects.count(),
        Forum.objects.count(),
        Participation.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_accounts_find_their_way(seeded, client):
    client.force_login(User.objects.get(username="ketua_rt"))
    home = client.get(reverse("home")).content.decode()
    assert "Musyawarah dalam dua minggu ke depan" in home

    kelurahan = client.get(reverse("commissioning:kelurahan-list"), follow=True)
    assert kelurahan.status_code == 200
    assert len(kelurahan.context["held_page"].object_list) == 1
