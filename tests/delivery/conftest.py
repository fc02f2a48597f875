import pytest

from delivery.models import Implementer
from rtkeren.models import ActivityStatus
from tests import factories as core

from . import factories


@pytest.fixture
def activity(rt, period, rt_chair):
    """An approved training of the RT with a budget of Rp700.000."""
    return factories.approved_activity(rt, period=period, author=rt_chair)


@pytest.fixture
def running(rt, period, rt_chair):
    """A training of the RT in delivery."""
    return factories.approved_activity(
        rt, period=period, author=rt_chair, status=ActivityStatus.IN_DELIVERY
    )


@pytest.fixture
def coordinator(running):
    """A resident of the RT who implements ``running`` as koordinator."""
    user, resident = core.make_resident_user(running.rt, "koordinator")
    factories.ImplementerFactory(
        activity=running, resident=resident, role=Implementer.Role.COORDINATOR
    )
    return user


@pytest.fixture
def meeting(running, rt_chair):
    return factories.MeetingFactory(activity=running, created_by=rt_chair)
