import pytest
from django.core.management import CommandError, call_command

from rtkeren.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_creates_nothing_twice(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    counts = User.objects.count()
    call_command("seed_demo")

    assert User.objects.count() == counts
    assert User.objects.get(username="admin").check_password("rtkeren-demo")


def test_seed_demo_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")

    assert not User.objects.exists()


def test_seed_demo_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False

    call_command("seed_demo", "--force")

    assert User.objects.filter(username="admin", is_superuser=True).exists()
