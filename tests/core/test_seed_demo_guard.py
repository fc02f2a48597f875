import io

import pytest
from django.core.management import CommandError, call_command

from rtkeren.models import Resident, User

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")

    assert not User.objects.exists()
    assert not Resident.objects.exists()


def test_seed_demo_runs_with_debug_on(settings):
    settings.DEBUG = True

    call_command("seed_demo", stdout=io.StringIO())

    assert User.objects.get(username="admin").check_password("rtkeren-demo")
    assert Resident.objects.exists()


def test_seed_demo_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force", stdout=io.StringIO())

    assert User.objects.filter(username="admin", is_superuser=True).exists()


def test_a_negative_number_of_residents_is_refused(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="--residents"):
        call_command("seed_demo", "--residents", "-5")

    assert not Resident.objects.exists()
