import pytest

from tests import factories as core

from . import factories


@pytest.fixture
def neighbour(rt):
    """Another verified resident of the RT, with an account: the author of ``proposal``."""
    user, _resident = core.make_resident_user(rt, "tetangga")
    return user


@pytest.fixture
def draft(rt, neighbour, period):
    return factories.proposal(
        rt=rt, author=neighbour, period=period, status=core.models.ActivityStatus.DRAFT
    )


@pytest.fixture
def proposal(rt, neighbour, period):
    return factories.proposal(rt=rt, author=neighbour, period=period)


@pytest.fixture
def foreign_proposal(foreign_rt, period):
    return factories.proposal(rt=foreign_rt, period=period)


@pytest.fixture
def voting_round(rt, officer, period, proposal):
    return factories.VotingRoundFactory(
        rt=rt, period=period, opened_by=officer, proposals=[proposal]
    )
