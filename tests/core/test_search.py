"""The search box: matches in proposals and activities, potentials, forums and follow-ups,
only among what the person may see (every link it gives opens for them), with a constant
number of queries, and typos forgiven on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import ActivityStatus
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.commissioning.factories import ForumFactory, PotentialFactory

pytestmark = pytest.mark.django_db

WORD = "Kenanga"


@pytest.fixture
def records(rt, foreign_rt, officer):
    """The same word in records of the home RT and of another kelurahan."""
    made = {}
    for side, place in (("home", rt), ("foreign", foreign_rt)):
        activity = factories.ActivityFactory(
            rt=place, status=ActivityStatus.APPROVED, title=f"Pelatihan tari {WORD} {side}"
        )
        made[f"{side}_activity"] = activity
        made[f"{side}_potential"] = PotentialFactory(rt=place, title=f"Sanggar {WORD} {side}")
        made[f"{side}_forum"] = ForumFactory(rt=place, title=f"Musyawarah {WORD} {side}")
        made[f"{side}_follow_up"] = FollowUpFactory(
            activity=activity, obstacle=f"Sanggar {WORD} kekurangan kostum ({side})."
        )
    return made


def hits(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return [
        (name, hit.title, hit.url) for name, found in response.context["results"] for hit in found
    ]


def test_a_resident_finds_the_records_of_their_place_of_every_kind(client, resident_user, records):
    client.force_login(resident_user)
    found = hits(client, WORD)
    assert {name for name, _title, _url in found} == {
        "activities",
        "potentials",
        "forums",
        "follow_ups",
    }
    assert all("home" in title for _name, title, _url in found if "foreign" not in title)
    assert not [title for _name, title, _url in found if "foreign" in title]


@pytest.mark.parametrize(
    "persona", ["resident_user", "rt_chair", "officer", "outsider", "foreign_officer"]
)
def test_every_result_opens_for_the_person_who_searched(client, request, persona, records):
    """As the crawler does: a search never shows what the person's own pages would refuse, for
    the home accounts and for those of another kelurahan."""
    user = request.getfixturevalue(persona)
    client.force_login(user)
    found = hits(client, WORD)
    assert found, persona
    for _name, title, url in found:
        assert client.get(url).status_code == 200, (persona, title, url)
    foreign = persona in ("outsider", "foreign_officer")
    titles = " ".join(title for _name, title, _url in found)
    assert ("home" in titles) is not foreign
    assert ("foreign" in titles) is foreign or persona == "foreign_officer" and "foreign" in titles


def test_a_visitor_is_sent_to_log_in(client, records):
    response = client.get(reverse("search"), {"q": WORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_nothing_for_no_words_and_a_word_nobody_wrote(client, resident_user, records):
    client.force_login(resident_user)
    assert hits(client, "   ") == []
    assert hits(client, "Bougenville") == []
    page = client.get(reverse("search"), {"q": "Bougenville"}).content.decode()
    assert "Tidak ada yang cocok" in page


def test_all_words_must_match(client, resident_user, records):
    client.force_login(resident_user)
    assert {title for _name, title, _url in hits(client, f"Musyawarah {WORD}")} == {
        f"Musyawarah {WORD} home"
    }


def test_a_typo_in_a_title(client, resident_user, records):
    client.force_login(resident_user)
    titles = {title for _name, title, _url in hits(client, "Kenaga")}
    if connection.vendor == "postgresql":
        assert f"Sanggar {WORD} home" in titles
    else:
        # The fallback matches words as typed.
        assert titles == set()


def test_queries_do_not_grow_with_results(client, resident_user, rt, records):
    client.force_login(resident_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            hits(client, WORD)
        return len(queries)

    one = count()
    for number in range(8):
        PotentialFactory(rt=rt, title=f"Kebun {WORD} {number}")
        ForumFactory(rt=rt, title=f"Rembug {WORD} {number}")
    assert count() == one
