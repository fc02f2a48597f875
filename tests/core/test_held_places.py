"""A list's records take their kelurahan, RW and RT from the city's places held by the process
(``rtkeren.places``) rather than from joins: the same places ``select_related`` gives, no query
to read them, and never one from before a change."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissioning.models import Forum, Potential
from rtkeren import places
from rtkeren.models import RT, RW, Activity, ActivityStatus, Kelurahan
from rtkeren.scopecache import columns_tag
from tests import factories
from tests.commissioning.factories import ForumFactory, PotentialFactory

pytestmark = pytest.mark.django_db


def _places(record) -> tuple:
    """Every place a record names, as the values each was read with."""
    found = []
    for name in ("kelurahan", "rw", "rt"):
        place = getattr(record, name, None) if name != "rw" or hasattr(record, "rw_id") else None
        found.append(None if place is None else (type(place), place.pk, str(place)))
        if isinstance(place, RT):
            found.append((RW, place.rw.pk, place.rw.number, place.rw.kelurahan_id))
    return tuple(found)


@pytest.fixture
def spread(kelurahan, rt, other_rt, foreign_rt):
    """Activities, potentials and forums of two kelurahan, of RTs, an RW and whole ones."""
    foreign = foreign_rt.rw.kelurahan
    for place_rt in (rt, other_rt, foreign_rt):
        factories.ActivityFactory(rt=place_rt)
        PotentialFactory(rt=place_rt)
        ForumFactory(rt=place_rt)
    for whole in (kelurahan, foreign):
        factories.ActivityFactory(rt=None, kelurahan=whole)
        PotentialFactory(rt=None, kelurahan=whole)
        ForumFactory(rt=None, rw=None, kelurahan=whole)
    ForumFactory(rt=None, rw=rt.rw)


LISTS = {
    "proposals": (
        lambda: Activity.objects.with_place_names(),
        lambda: Activity.objects.select_related("kelurahan", "rt__rw"),
    ),
    "potentials": (
        lambda: Potential.objects.with_places(),
        lambda: Potential.objects.select_related("kelurahan", "rt__rw"),
    ),
    "forums": (
        lambda: Forum.objects.with_places(),
        lambda: Forum.objects.select_related("kelurahan", "rw", "rt__rw"),
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_the_places_held_are_those_the_joins_give_and_read_without_a_query(spread, name):
    held, joined = LISTS[name]
    expected = {record.pk: _places(record) for record in joined().order_by("pk")}
    places.place_table()  # the table read once, as a page's first list would

    with CaptureQueriesContext(connection) as queries:
        records = list(held().order_by("pk"))
        found = {record.pk: _places(record) for record in records}

    assert len(expected) >= 3
    assert found == expected
    assert len(queries) == 1
    assert "rtkeren_rt" not in queries[0]["sql"]
    assert "rtkeren_kelurahan" not in queries[0]["sql"]


def test_one_instance_per_place_in_a_list(rt):
    first, second = factories.ActivityFactory(rt=rt), factories.ActivityFactory(rt=rt)

    records = list(Activity.objects.with_place_names().filter(pk__in=[first.pk, second.pk]))

    assert records[0].rt is records[1].rt
    assert records[0].rt.rw is records[1].rt.rw
    assert records[0].kelurahan is records[1].kelurahan


def test_a_place_renamed_is_shown_renamed_on_the_next_read(rt):
    activity = factories.ActivityFactory(rt=None, kelurahan=rt.rw.kelurahan)
    before = Activity.objects.with_place_names().get(pk=activity.pk).kelurahan.name
    kelurahan = Kelurahan.objects.get(pk=activity.kelurahan_id)
    kelurahan.name = "Kelurahan Berganti Nama"
    kelurahan.save()

    after = Activity.objects.with_place_names().get(pk=activity.pk).kelurahan.name

    assert before != "Kelurahan Berganti Nama"
    assert after == "Kelurahan Berganti Nama"


def test_a_place_the_table_does_not_hold_yet_is_read_with_the_rows(rt, period, officer):
    """A place another process made after this one read the table (here: written without the
    signals that renew it) is read from the database, never missing or another's."""
    author = officer
    places.place_table()
    (made,) = RT.objects.bulk_create([RT(rw=rt.rw, number=77)])
    (rw,) = RW.objects.bulk_create([RW(kelurahan=rt.rw.kelurahan, number=88)])
    (activity,) = Activity.objects.bulk_create(
        [factories.ActivityFactory.build(rt=made, period=period, author=author)]
    )
    forum = Forum(kelurahan=rw.kelurahan, rw=rw, title="Musyawarah RW", place="Balai RW")
    forum.date, forum.starts_at = period.starts_on, datetime.time(19, 30)
    (forum,) = Forum.objects.bulk_create([forum])

    with CaptureQueriesContext(connection) as queries:
        read = Activity.objects.with_place_names().get(pk=activity.pk)
        read_forum = Forum.objects.with_places().get(pk=forum.pk)
        shown = (str(read.rt), read.rt.pk, str(read_forum.rw), read_forum.rw.pk)

    assert made.pk not in places.place_table()["rt"]
    assert shown == (f"RT 077 / RW {rt.rw.number:03d}", made.pk, "RW 088", rw.pk)
    # each list's rows, then the place the table lacks
    assert len(queries) == 4


def test_a_record_without_an_rt_has_none_set_as_a_join_would(kelurahan):
    activity = factories.ActivityFactory(rt=None, kelurahan=kelurahan)

    read = Activity.objects.with_place_names().get(pk=activity.pk)

    assert read._state.fields_cache["rt"] is None
    assert read.kelurahan == kelurahan


def test_prepared_rows_take_their_places_held(rt, resident_user):
    """The proposal list's prepared query reads its rows through the held places too."""
    from designing.selectors import prepared_proposal_list

    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.PROPOSED)
    listed = prepared_proposal_list(user=resident_user)
    listed.rows()  # prepared, and the table read

    with CaptureQueriesContext(connection) as queries:
        rows = listed.rows()
        shown = [(row.pk, str(row.rt), row.kelurahan.name) for row in rows]

    assert shown == [(activity.pk, str(rt), rt.rw.kelurahan.name)]
    assert len(queries) == 1
    assert "rtkeren_rt" not in queries[0]["sql"]


def test_read_a_chunk_at_a_time_the_places_are_those_the_joins_give(spread):
    expected = [_places(record) for record in LISTS["potentials"][1]().order_by("pk")]

    read = [
        _places(record) for record in Potential.objects.with_places().order_by("pk").iterator(2)
    ]

    assert len(expected) == 5
    assert read == expected


def test_the_proposal_page_reads_its_places_held_and_the_rest_joined(rt, resident_user):
    from designing.selectors import proposal_detail

    activity = factories.ActivityFactory(rt=rt, status=ActivityStatus.PROPOSED)
    expected = Activity.objects.with_places().get(pk=activity.pk)
    proposal_detail(resident_user).one(activity.pk)  # prepared, and the table read

    with CaptureQueriesContext(connection) as queries:
        read = proposal_detail(resident_user).one(activity.pk)
        shown = (
            _places(read),
            read.period.name,
            read.author.username,
            read.community,
        )

    assert shown == (
        _places(expected),
        expected.period.name,
        expected.author.username,
        expected.community,
    )
    # the proposal, then its prefetches (budget lines, interests, origins)
    assert "rtkeren_rt" not in queries[0]["sql"]
    assert '"rtkeren_period"' in queries[0]["sql"]
    assert len(queries) == 4


def test_a_place_column_left_unread_is_left_unset(rt):
    activity = factories.ActivityFactory(rt=rt)

    read = Activity.objects.with_place_names().only("title").get(pk=activity.pk)

    assert read.title == activity.title
    assert "rt" not in read._state.fields_cache
    assert read.rt == rt  # read when asked for, as Django does


def test_the_table_is_named_after_its_columns(monkeypatch):
    """A deploy that adds a column to a place reads the table under another name: rows of the
    former columns are never built into instances of the new ones."""
    name = places.table_name()
    columns = places._columns

    def with_one_more(model):
        return (*columns(model), "added_id") if model is RT else columns(model)

    monkeypatch.setattr(places, "_columns", with_one_more)
    places.table_name.cache_clear()
    try:
        renamed = places.table_name()
    finally:
        monkeypatch.undo()
        places.table_name.cache_clear()

    assert name.startswith("places:")
    assert renamed != name
    assert places.table_name() == name


def test_a_tag_of_columns_changes_with_them_and_their_order():
    assert columns_tag(["id", "name"]) == columns_tag(["id", "name"])
    assert columns_tag(["id", "name"]) != columns_tag(["id", "name", "code"])
    assert columns_tag(["id", "name"]) != columns_tag(["name", "id"])


def test_a_related_managers_own_record_is_kept_on_its_rows(rt):
    """Read from a kelurahan (``kelurahan.activities``), each row's kelurahan is that very
    record, as Django sets it, not a copy from the table."""
    kelurahan = Kelurahan.objects.get(pk=rt.rw.kelurahan_id)
    factories.ActivityFactory.create_batch(2, rt=rt)

    rows = list(kelurahan.activities.with_place_names())

    assert len(rows) == 2
    assert all(row.kelurahan is kelurahan for row in rows)
    assert [str(row.rt) for row in rows] == [str(rt), str(rt)]
