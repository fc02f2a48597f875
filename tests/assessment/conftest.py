import pytest

from tests import factories as core

from . import factories


@pytest.fixture
def activity(rt, period, officer, community):
    """An activity of the RT (and its community), delivered two days ago."""
    return factories.delivered_activity(by=officer, rt=rt, period=period, community=community)


@pytest.fixture
def participant(resident_user, activity):
    """``resident_user``, who attended the activity."""
    factories.take_part(resident_user.resident, activity)
    return resident_user


@pytest.fixture
def neighbour(rt):
    """A verified resident of the same RT who did not take part."""
    user, _resident = core.make_resident_user(rt, "tetangga")
    return user


@pytest.fixture
def offline_resident(rt, activity):
    """A participant without an account, whose evaluation a chair records."""
    resident = core.ResidentFactory(rt=rt, name="Mbah Sarinah")
    factories.take_part(resident, activity, kind="implemented")
    return resident


@pytest.fixture
def closed_activity(rt, period, officer):
    """Delivered 40 days ago: its 30-day evaluation window has closed."""
    return factories.delivered_activity(by=officer, days_ago=40, rt=rt, period=period)
