"""The public page's lists and totals read prepared (``rtkeren.prepared``): every section's
queries, with what they prefetch, built and compiled once per shape.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared read also compares its SQL and
parameters with those Django compiles for the same values, so the page below checks each of
its shapes against Django's."""

import pytest
from django.urls import reverse

import assessment.public
import delivery.public
import designing.public
from rtkeren import mixins, prepared
from rtkeren.models import ActivityStatus
from rtkeren.views import public
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.delivery.factories import OutputFactory, approved_activity
from tests.designing.factories import VoteFactory, VotingRoundFactory, closed, proposal
from tests.prepared_support import all_prepared

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]

BUILDS = [
    public._published_activities,
    public._totals_by_status,
    designing.public._closed_rounds,
    designing.public._vote_counts,
    designing.public._pending,
    delivery.public._with_outputs,
    assessment.public._follow_ups,
]


def _related_shapes() -> set[str]:
    """The models whose rows were prefetched prepared, by relation."""
    return {
        f"{key[1].model.__name__}.{key[1].name}"
        for key, entry in prepared._statements.items()
        if key[0] is prepared._related_rows and entry is not prepared._UNPREPARED
    }


def test_every_section_reads_prepared_and_shows_what_it_read(client, rt, period):
    approved = proposal(rt=rt, period=period, title="Perbaikan saluran air")
    rejected = proposal(rt=rt, period=period, title="Lomba gapura")
    done = VotingRoundFactory(rt=rt, period=period, proposals=[approved, rejected])
    for _ in range(6):
        VoteFactory(round=done, activity=approved, resident__rt=rt)
    closed(done)
    approved.status, rejected.status = ActivityStatus.APPROVED, ActivityStatus.REJECTED
    rejected.decision_reason = "Sudah dibiayai CSR."
    approved.save()
    rejected.save()
    VotingRoundFactory(rt=rt, period=period, proposals=[proposal(rt=rt, period=period)])
    batik = approved_activity(
        rt, status=ActivityStatus.IN_DELIVERY, period=period, title="Pelatihan batik"
    )
    OutputFactory(activity=batik, name="Kain batik", target_quantity=10, finished_quantity=4)
    evaluated = factories.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.DELIVERED, title="Senam lansia"
    )
    FollowUpFactory(activity=evaluated, action="Tambah jadwal senam pagi.")
    url = reverse("public-kelurahan", args=[rt.rw.kelurahan.code])

    # A parameter the page does not share: rendered for this request, not from the cache.
    for _ in range(2):
        response = client.get(url, {"sumber": "uji"})

    assert response.status_code == 200
    assert [build.__qualname__ for build in BUILDS if not all_prepared(build)] == []
    assert _related_shapes() == {"Activity.voting_rounds", "Output.activity"}
    text = response.content.decode()
    for shown in (
        "Perbaikan saluran air",
        "6 suara",
        "Lomba gapura: Alasan: Sudah dibiayai CSR.",
        "Pelatihan batik",
        "Kain batik",
        "Tambah jadwal senam pagi.",
    ):
        assert shown in text


@pytest.mark.parametrize("name", ["public-kelurahan", "public-spending"])
def test_the_kelurahan_of_the_code_in_the_url_is_read_prepared(
    client, rt, foreign_rt, period, name
):
    kelurahan, other = rt.rw.kelurahan, foreign_rt.rw.kelurahan

    for place in (kelurahan, other):
        response = client.get(reverse(name, args=[place.code]))
        assert response.status_code == 200
        assert response.context["kelurahan"] == place
        assert response.context["kelurahan"].kecamatan == place.kecamatan
    # A code no kelurahan has, or one only like a kelurahan's.
    assert client.get(reverse(name, args=["99.99.99.9999"])).status_code == 404
    assert client.get(reverse(name, args=[kelurahan.code + " "])).status_code == 404
    assert all_prepared(mixins._kelurahan_by_code)
