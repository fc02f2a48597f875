import pytest

from commissioning.models import Forum
from tests import factories as core

from . import factories


@pytest.fixture
def neighbour(rt):
    """Another verified resident of the RT, with an account: the author of ``potential``."""
    user, _resident = core.make_resident_user(rt, "tetangga")
    return user


@pytest.fixture
def potential(rt, neighbour, period):
    return factories.PotentialFactory(rt=rt, author=neighbour, author_resident=neighbour.resident)


@pytest.fixture
def forum(rt, rt_chair, period):
    """A scheduled forum of the RT, a week from now."""
    return factories.ForumFactory(rt=rt, organiser=rt_chair)


@pytest.fixture
def past_forum(rt, rt_chair, period):
    """A forum of the RT whose day has passed (three days ago), still marked scheduled."""
    return factories.held_forum(rt=rt, organiser=rt_chair, status=Forum.Status.SCHEDULED)


@pytest.fixture
def kelurahan_forum(kelurahan, officer, period):
    return factories.ForumFactory(rt=None, rw=None, kelurahan=kelurahan, organiser=officer)


@pytest.fixture
def cancelled_forum(rt, rt_chair, period):
    return factories.ForumFactory(
        rt=rt, organiser=rt_chair, status=Forum.Status.CANCELLED, cancel_reason="Hujan deras"
    )
