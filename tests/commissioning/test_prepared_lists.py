"""The potentials and forum lists, prepared once per shape (``rtkeren.prepared``), give the
rows Django's own queries give, for every kind of reader.

The tests run with ``PREPARED_QUERIES_CHECK``: every prepared run below also compares its SQL
and parameters with those Django compiles for the same values."""

import pytest
from django.urls import reverse

from commissioning import selectors
from commissioning.models import Category, Potential
from rtkeren import prepared
from rtkeren.paginate import TOTAL, counted, counted_slice
from tests.prepared_support import READERS, all_prepared

from .factories import (
    AttendanceFactory,
    EndorsementFactory,
    ForumFactory,
    PotentialFactory,
    held_forum,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]


@pytest.fixture
def potentials(rt, other_rt, foreign_rt, resident):
    made = [
        PotentialFactory(rt=rt),
        PotentialFactory(rt=rt, category=Category.CULINARY),
        PotentialFactory(rt=other_rt),
        PotentialFactory(rt=foreign_rt),
        PotentialFactory(rt=None, kelurahan=rt.rw.kelurahan),
        PotentialFactory(rt=rt, status=Potential.Status.ARCHIVED),
    ]
    for _ in range(3):
        EndorsementFactory(potential=made[1])
    EndorsementFactory(potential=made[2], resident=resident)
    return made


def _potential_figures(rows):
    return [
        (row.pk, row.endorsement_count, row.endorsed_by_me, getattr(row, TOTAL)) for row in rows
    ]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"order": "endorsed"},
        {"kelurahan": "record"},
        {"kelurahan": "id", "rt": True},
        {"category": Category.CULINARY, "min_endorsements": 3},
        {"order": "no-such-order", "min_endorsements": 0},
    ],
)
def test_the_potentials_list_prepared_is_djangos(request, reader, filters, potentials, rt):
    user = request.getfixturevalue(reader)
    filters = dict(filters)
    kelurahan = filters.pop("kelurahan", None)
    if kelurahan:
        filters["kelurahan"] = rt.rw.kelurahan if kelurahan == "record" else rt.rw.kelurahan_id
    if filters.pop("rt", False):
        filters["rt"] = rt
    query = selectors.prepared_potential_list(user=user, **filters)

    for start in (0, 2):
        rows = query.then(counted).sliced(start, 2).rows()
        expected = counted_slice(selectors.potential_list(user=user, **filters), start, 2)
        assert _potential_figures(rows) == _potential_figures(expected)
    assert all_prepared(selectors._potential_list)


@pytest.fixture
def forums(rt, other_rt, foreign_rt, resident):
    made = [
        ForumFactory(rt=rt),
        ForumFactory(rt=other_rt),
        ForumFactory(rt=foreign_rt),
        held_forum(rt=rt),
        held_forum(rt=None, rw=None, kelurahan=rt.rw.kelurahan),
    ]
    AttendanceFactory(forum=made[3], resident=resident)
    AttendanceFactory(forum=made[3])
    AttendanceFactory(forum=made[3], resident=None, guest_name="Tamu", guest_origin="RW 9")
    return made


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    "filters",
    [{}, {"when": "upcoming"}, {"when": "past"}, {"kelurahan": True}, {"when": "someday"}],
)
def test_the_forum_list_prepared_is_djangos(request, reader, filters, forums, rt):
    user = request.getfixturevalue(reader)
    filters = dict(filters)
    if filters.pop("kelurahan", False):
        filters["kelurahan"] = rt.rw.kelurahan
    query = selectors.prepared_forum_list(user=user, **filters)

    for start in (0, 2):
        rows = query.then(counted).sliced(start, 2).rows()
        expected = counted_slice(selectors.forum_list(user=user, **filters), start, 2)
        assert [(row.pk, row.resident_count, getattr(row, TOTAL)) for row in rows] == [
            (row.pk, row.resident_count, getattr(row, TOTAL)) for row in expected
        ]
    assert all_prepared(selectors._forum_list)


@pytest.mark.parametrize(
    ("url", "build", "listed"),
    [
        ("commissioning:potential-list", "_potential_list", "potentials"),
        ("commissioning:forum-list", "_forum_list", "forums"),
    ],
)
def test_the_list_pages_read_their_rows_prepared(
    request, client, resident_user, potentials, forums, url, build, listed
):
    client.force_login(resident_user)

    response = client.get(reverse(url))

    assert response.status_code == 200
    shown = {row.pk for row in response.context[listed]}
    made = request.getfixturevalue(listed)
    assert shown
    assert shown <= {row.pk for row in made}
    assert all_prepared(getattr(selectors, build))


def test_the_potential_page_reads_its_potential_prepared(client, resident, outsider, rt):
    potential = PotentialFactory(rt=rt)
    EndorsementFactory(potential=potential, resident=resident)
    url = reverse("commissioning:potential-detail", args=[potential.pk])
    client.force_login(resident.user)

    response = client.get(url)

    assert response.status_code == 200
    shown = response.context["potential"]
    assert shown == potential
    assert (shown.endorsement_count, shown.endorsed_by_me) == (1, True)
    assert all_prepared(prepared._one)
    # Another kelurahan's resident changing the id in the URL finds nothing.
    client.force_login(outsider)
    assert client.get(url).status_code == 404
