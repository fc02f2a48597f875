"""Queries prepared once per shape (``rtkeren.prepared``) give the rows Django's own give."""

import datetime

import pytest
from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    Value,
)
from django.db.models.fields.related_descriptors import _filter_prefetch_queryset
from django.utils import timezone

from rtkeren import prepared
from rtkeren.models import RT, RW, Activity, Interest, Kelurahan
from rtkeren.prepared import Prepared, PreparedMismatch
from tests import factories
from tests.prepared_support import all_prepared, shapes_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_prepared_shapes")]


def rts_of(shape, values):
    builds.append(values)
    queryset = RT.objects.select_related("rw__kelurahan").order_by("pk")
    if values["kelurahan"] is not None:
        queryset = queryset.filter(rw__kelurahan__in=values["kelurahan"])
    if shape == "named":
        queryset = queryset.filter(Q(number=values["number"]) | Q(rw__number=values["number"]))
    return queryset


builds: list = []


def test_rows_are_djangos_in_one_query(rt, other_rt, foreign_rt, django_assert_num_queries):
    query = Prepared(RT, rts_of, "all", {"kelurahan": (rt.rw.kelurahan_id,)})
    expected = list(query.queryset())

    with django_assert_num_queries(1):
        rows = query.rows()
        # What the query selects related comes with each row.
        names = [row.rw.kelurahan.name for row in rows]

    assert rows == expected == [rt, other_rt]
    assert names == [rt.rw.kelurahan.name] * 2
    assert all_prepared(rts_of)


def test_a_shape_is_built_twice_once_then_runs_with_each_requests_values(settings, rt, foreign_rt):
    settings.PREPARED_QUERIES_CHECK = False
    builds.clear()
    Prepared(RT, rts_of, "all", {"kelurahan": (rt.rw.kelurahan_id,)}).rows()
    assert len(builds) == 2  # the two sets of stand-ins

    rows = Prepared(RT, rts_of, "all", {"kelurahan": (foreign_rt.rw.kelurahan_id,)}).rows()

    assert len(builds) == 2
    assert rows == [foreign_rt]


def test_each_length_none_and_shape_is_prepared_apart(rt, other_rt, foreign_rt):
    both = (rt.rw.kelurahan_id, foreign_rt.rw.kelurahan_id)
    assert Prepared(RT, rts_of, "all", {"kelurahan": both}).rows() == [rt, other_rt, foreign_rt]
    assert Prepared(RT, rts_of, "all", {"kelurahan": None}).rows() == [rt, other_rt, foreign_rt]
    named = {"kelurahan": both, "number": other_rt.number}
    expected = RT.objects.filter(Q(number=other_rt.number) | Q(rw__number=other_rt.number))
    assert Prepared(RT, rts_of, "named", named).rows() == list(expected.order_by("pk"))
    assert len(prepared._statements) == 3


def test_a_query_that_selects_nothing_asks_nothing(rt, django_assert_num_queries):
    query = Prepared(
        RT, lambda shape, values: RT.objects.filter(pk__in=values["ids"]), "", {"ids": ()}
    )
    with django_assert_num_queries(0):
        assert query.rows() == []


def _recent(shape, values):
    return Activity.objects.filter(rt=values["rt"], created_at__lte=timezone.now()).order_by("pk")


def test_a_query_holding_more_than_its_values_is_never_prepared(rt):
    activity = factories.ActivityFactory(rt=rt)

    assert Prepared(Activity, _recent, "", {"rt": rt.pk}).rows() == [activity]
    assert shapes_of(_recent) == [prepared._UNPREPARED]


def _written_in(shape, values):
    return RT.objects.extra(where=[f"{RT._meta.db_table}.id = {values['rt']}"])


def test_a_value_written_into_the_sql_is_never_prepared(rt, other_rt):
    assert Prepared(RT, _written_in, "", {"rt": other_rt.pk}).rows() == [other_rt]
    assert shapes_of(_written_in) == [prepared._UNPREPARED]


def _branching(shape, values):
    # Wrong: the query's shape depends on a value, not on ``shape``.
    if values["rt"] < 10_000:
        return RT.objects.filter(pk=values["rt"])
    return RT.objects.none()


def test_a_build_that_branches_on_a_value_fails_the_check(rt):
    with pytest.raises(PreparedMismatch):
        Prepared(RT, _branching, "", {"rt": rt.pk}).rows()


def test_a_build_that_branches_on_a_value_gives_wrong_rows_without_the_check(settings, rt):
    """What the check guards against."""
    settings.PREPARED_QUERIES_CHECK = False
    assert Prepared(RT, _branching, "", {"rt": rt.pk}).rows() == []


@pytest.mark.parametrize(
    "value",
    [
        True,
        1.5,
        [1],
        (1, "a"),
        datetime.datetime(2026, 12, 1, 8, 0),  # a moment without its time zone
        (timezone.now(),),
    ],
)
def test_values_are_ints_strings_moments_none_or_tuples_of_one_kind(value):
    with pytest.raises(TypeError):
        Prepared(RT, rts_of, "all", {"kelurahan": value}).rows()


def test_the_shapes_kept_are_bounded(monkeypatch, rt, other_rt, foreign_rt):
    monkeypatch.setattr(prepared, "MAX_SHAPES", 2)
    for kelurahan in [(1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)]:
        Prepared(RT, rts_of, "all", {"kelurahan": kelurahan}).rows()
        assert len(prepared._statements) <= 2


def _with_interests(shape, values):
    return Activity.objects.filter(rt=values["rt"]).prefetch_related("interests").order_by("pk")


def test_what_a_query_prefetches_comes_with_its_rows(rt, django_assert_num_queries):
    activity = factories.ActivityFactory(rt=rt)
    interest = factories.InterestFactory()
    activity.interests.set([interest])

    with django_assert_num_queries(2):
        [row] = Prepared(Activity, _with_interests, "", {"rt": rt.pk}).rows()
        assert list(row.interests.all()) == [interest]


def _kelurahan_with_rws(shape, values):
    queryset = Kelurahan.objects.filter(pk__in=values["kelurahan"]).order_by("pk")
    if shape == "listed":
        rws = RW.objects.select_related("kelurahan__kecamatan").order_by("-number")
        return queryset.prefetch_related(Prefetch("rw_set", queryset=rws, to_attr="rw_list"))
    if shape == "ordered":
        # A queryset of the lookup's own: its order and what it selects related come along.
        rws = RW.objects.select_related("kelurahan__kecamatan").order_by("-number")
        return queryset.prefetch_related(Prefetch("rw_set", queryset=rws))
    return queryset.prefetch_related("rw_set")


@pytest.mark.parametrize("shape", ["plain", "ordered"])
def test_a_reverse_foreign_key_is_prefetched_prepared_as_django_prefetches_it(
    shape, kelurahan, foreign_kelurahan, rt, other_rt, foreign_rt, django_assert_num_queries
):
    empty = factories.kelurahan("35.72.01.1001")  # no RW
    ids = tuple(sorted((kelurahan.pk, foreign_kelurahan.pk, empty.pk)))
    query = Prepared(Kelurahan, _kelurahan_with_rws, shape, {"kelurahan": ids})
    expected = [(row, list(row.rw_set.all())) for row in query.queryset()]

    for _ in range(2):  # prepared, then run from what was prepared
        with django_assert_num_queries(2):
            rows = query.rows()
            found = [(row, list(row.rw_set.all())) for row in rows]
            # Each RW holds its kelurahan (and what the lookup selects related) already.
            names = [rw.kelurahan.name for _row, rws in found for rw in rws]
            counts = [row.rw_set.count() for row in rows]
        assert found == expected
        assert names == [row.name for row, rws in expected for _rw in rws]
        assert sorted(names) == sorted([kelurahan.name] * 2 + [foreign_kelurahan.name])
        assert counts == [len(rws) for _row, rws in expected]
    assert [rw.number for rw in found[ids.index(kelurahan.pk)][1]] == (
        [8, 7] if shape == "ordered" else [7, 8]
    )
    assert all_prepared(prepared._related_rows)
    # A further query of a row's relation still reads that row's RWs alone.
    row = rows[ids.index(kelurahan.pk)]
    assert set(row.rw_set.filter(number__gte=1)) == {rt.rw, other_rt.rw}


def test_a_prefetch_into_a_list_is_read_prepared_as_django_reads_it(
    kelurahan, foreign_kelurahan, rt, other_rt, foreign_rt, django_assert_num_queries
):
    """``Prefetch(..., to_attr=...)``: each row's related rows as a list in that attribute,
    each holding its row, and the relation's manager left to read the database."""
    empty = factories.kelurahan("35.72.01.1001")  # no RW
    ids = tuple(sorted((kelurahan.pk, foreign_kelurahan.pk, empty.pk)))
    query = Prepared(Kelurahan, _kelurahan_with_rws, "listed", {"kelurahan": ids})
    expected = [(row, row.rw_list) for row in query.queryset()]

    for _ in range(2):  # prepared, then run from what was prepared
        with django_assert_num_queries(2):
            rows = query.rows()
            found = [(row, row.rw_list) for row in rows]
            names = [rw.kelurahan.name for _row, rws in found for rw in rws]
        assert found == expected
        assert all(type(rws) is list for _row, rws in found)
        assert [len(found[ids.index(pk)][1]) for pk in (kelurahan.pk, empty.pk)] == [2, 0]
        assert names == [row.name for row, rws in expected for _rw in rws]
    assert [rw.number for rw in found[ids.index(kelurahan.pk)][1]] == [8, 7]
    assert all_prepared(prepared._related_rows)
    # Nothing was kept for the relation's manager: it reads the database, as Django's does.
    row = rows[ids.index(kelurahan.pk)]
    assert not getattr(row, "_prefetched_objects_cache", {})
    with django_assert_num_queries(1):
        assert set(row.rw_set.all()) == {rt.rw, other_rt.rw}


def test_two_queries_of_the_same_sql_keep_their_own_prefetch(kelurahan, rt, other_rt):
    """The same rows prefetched in two orders: each query's prefetch is a shape of its own."""
    values = {"kelurahan": (kelurahan.pk,)}
    for _ in range(2):
        [plain] = Prepared(Kelurahan, _kelurahan_with_rws, "plain", values).rows()
        [ordered] = Prepared(Kelurahan, _kelurahan_with_rws, "ordered", values).rows()
        assert [rw.number for rw in plain.rw_set.all()] == [7, 8]
        assert [rw.number for rw in ordered.rw_set.all()] == [8, 7]
    assert len(shapes_of(prepared._related_rows)) == 2


def test_the_prefetch_read_prepared_is_the_sql_django_prefetches_with(kelurahan, rt, other_rt):
    query = Prepared(Kelurahan, _kelurahan_with_rws, "ordered", {"kelurahan": (kelurahan.pk,)})
    rows = query.rows()
    [relation] = [key[1] for key in prepared._statements if key[0] is prepared._related_rows]
    (lookup,) = query.queryset()._prefetch_related_lookups
    django = _filter_prefetch_queryset(lookup.queryset._chain(), "kelurahan", rows)
    ours = prepared._related_rows(relation, {"ids": (kelurahan.pk,)})
    compiled = ours.query.get_compiler(connection=connection)
    assert compiled.as_sql() == django.query.get_compiler(connection=connection).as_sql()


def _activities_with_interests(shape, values):
    queryset = Activity.objects.filter(rt=values["rt"]).order_by("pk")
    if shape == "ordered":
        interests = Interest.objects.order_by("-name")
        return queryset.prefetch_related(Prefetch("interests", queryset=interests))
    return queryset.prefetch_related("interests")


@pytest.mark.parametrize("shape", ["plain", "ordered"])
def test_a_many_to_many_relation_is_prefetched_prepared_as_django_prefetches_it(
    shape, rt, django_assert_num_queries
):
    first, second, none = (factories.ActivityFactory(rt=rt) for _ in range(3))
    shared, own = factories.InterestFactory(name="Air"), factories.InterestFactory(name="Bank")
    first.interests.set([shared, own])
    second.interests.set([shared])
    query = Prepared(Activity, _activities_with_interests, shape, {"rt": rt.pk})
    expected = [(row, list(row.interests.all())) for row in query.queryset()]

    for _ in range(2):
        with django_assert_num_queries(2):
            rows = query.rows()
            found = [(row, list(row.interests.all())) for row in rows]
        assert found == expected
    assert found == [
        (first, [own, shared] if shape == "ordered" else [shared, own]),
        (second, [shared]),
        (none, []),
    ]
    assert all_prepared(prepared._related_rows)
    # A further query of a row's relation still reads that row's interests alone.
    assert list(rows[1].interests.filter(name__in=["Air", "Bank"])) == [shared]

    (lookup,) = query.queryset()._prefetch_related_lookups
    base = lookup.queryset if shape == "ordered" else Interest.objects.all()
    django = rows[0].interests.get_prefetch_querysets(rows, [base._chain()])[0]
    [relation] = [key[1] for key in prepared._statements if key[0] is prepared._related_rows]
    ours = prepared._related_rows(relation, {"ids": tuple(row.pk for row in rows)})
    assert (
        ours.query.get_compiler(connection=connection).as_sql()
        == django.query.get_compiler(connection=connection).as_sql()
    )


def test_one_reads_a_row_of_the_query_by_its_key(rt, other_rt, foreign_rt):
    query = Prepared(RT, rts_of, "all", {"kelurahan": (rt.rw.kelurahan_id,)})

    assert query.one(other_rt.pk) == other_rt
    assert query.one(foreign_rt.pk) is None  # not a row of the query
    assert query.one(foreign_rt.pk + 1000) is None
    assert all_prepared(prepared._one)


@pytest.mark.parametrize("pk", [2**63, -(2**63) - 1, 10**30])
def test_a_key_past_the_columns_range_finds_nothing_as_in_django(rt, pk, django_assert_num_queries):
    query = Prepared(RT, rts_of, "all", {"kelurahan": None})

    with django_assert_num_queries(0):
        assert query.one(pk) is None
    assert shapes_of(prepared._one) == []


def _kelurahan_by_rw(shape, values):
    # A row for each of the kelurahan's RWs.
    return Kelurahan.objects.filter(rw_set__number__gte=values["number"])


def test_one_of_many_rows_raises_as_get_does(kelurahan, rt, other_rt):
    factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=8), number=1)
    query = Prepared(Kelurahan, _kelurahan_by_rw, "", {"number": 1})

    with pytest.raises(Kelurahan.MultipleObjectsReturned):
        query.one(kelurahan.pk)
    with pytest.raises(Kelurahan.MultipleObjectsReturned):
        query.queryset().get(pk=kelurahan.pk)


def test_one_prefetches_what_the_query_prefetches_on_each_read(rt, django_assert_num_queries):
    activity = factories.ActivityFactory(rt=rt)
    interest = factories.InterestFactory()
    activity.interests.set([interest])
    query = Prepared(Activity, _with_interests, "", {"rt": rt.pk})

    for _ in range(2):
        with django_assert_num_queries(2):
            found = query.one(activity.pk)
            assert list(found.interests.all()) == [interest]


def test_a_set_of_ids_is_a_value_in_order_and_none_stays_none():
    assert prepared.id_value({12, 3, 7}) == (3, 7, 12)
    assert prepared.id_value(set()) == ()
    assert prepared.id_value(None) is None


def counts_of(shape, values):
    """RTs per RW of some kelurahan, and (a union) the RWs per kelurahan: a values_list()
    query of aggregates, whose columns have converters on some databases."""
    per_rw = (
        RT.objects.filter(rw__kelurahan__in=values["kelurahan"])
        .values("rw__number")
        .annotate(rts=Count("pk"))
        .order_by()
        .values_list("rw__number", "rts")
    )
    if shape == "with kelurahan":
        per_kelurahan = (
            RW.objects.filter(kelurahan__in=values["kelurahan"])
            .values("kelurahan_id")
            .annotate(rws=Count("pk"))
            .order_by()
            .values_list("kelurahan_id", "rws")
        )
        return per_rw.union(per_kelurahan, all=True)
    return per_rw


def test_tuples_are_a_values_list_querys_rows_in_one_query(
    rt, other_rt, foreign_rt, django_assert_num_queries
):
    for shape in ("rw", "with kelurahan"):
        for place in (rt, foreign_rt):
            query = Prepared(RT, counts_of, shape, {"kelurahan": (place.rw.kelurahan_id,)})
            expected = sorted(query.queryset(), key=str)
            with django_assert_num_queries(1):
                rows = query.tuples()
            assert sorted(rows, key=str) == expected
            assert expected
            assert all(isinstance(row, tuple) for row in rows)
    assert all_prepared(counts_of)
    assert {entry.rows for entry in shapes_of(counts_of)} == {"tuples"}


def test_a_model_query_read_as_tuples_or_a_values_query_as_rows_is_djangos(rt, other_rt):
    """Either way round the rows are Django's own, read without a statement of their kind."""
    values = {"kelurahan": (rt.rw.kelurahan_id,)}
    assert Prepared(RT, rts_of, "all", values).tuples() == [rt, other_rt]
    as_rows = Prepared(RT, counts_of, "rw", values).rows()
    assert as_rows == list(Prepared(RT, counts_of, "rw", values).queryset())


def activities_in(shape, values):
    return Activity.objects.filter(rt__in=values["rts"])


def titles_of_rts(activities, limit):
    rts = RT.objects.filter(pk__in=activities.values("rt")).order_by("pk")
    return rts if limit is None else rts[:limit]


def test_into_makes_a_query_of_another_model_from_this_ones(
    rt, other_rt, foreign_rt, django_assert_num_queries
):
    period = factories.PeriodFactory()
    for place in (rt, foreign_rt):
        factories.ActivityFactory(rt=place, kelurahan=place.rw.kelurahan, period=period)
    activities = Prepared(Activity, activities_in, None, {"rts": (rt.pk, other_rt.pk)})

    for limit in (None, 1):
        query = activities.into(RT, titles_of_rts, limit)
        assert query.model is RT
        with django_assert_num_queries(1):
            assert query.rows() == [rt]
    others = Prepared(Activity, activities_in, None, {"rts": (foreign_rt.pk, other_rt.pk)})
    assert others.into(RT, titles_of_rts, None).rows() == [foreign_rt]
    assert all_prepared(activities_in)


def changed_since(shape, values):
    """Activities changed after a moment, and (the shape "window") within a number of days of
    it, counted by each one's period: a moment compared as it is and inside an expression."""
    queryset = Activity.objects.filter(status_changed_at__gt=values["since"]).order_by("pk")
    if shape == "window":
        days = ExpressionWrapper(F("period__evaluation_window_days"), output_field=IntegerField())
        window = ExpressionWrapper(
            days * Value(datetime.timedelta(days=1)), output_field=DurationField()
        )
        queryset = queryset.filter(status_changed_at__lt=Value(values["until"]) + window)
    return queryset


def test_a_moment_is_a_value_in_whatever_form_the_database_takes_it(rt, foreign_rt):
    """SQLite takes a moment as text, PostgreSQL as it is: either way the clock's time is a
    value, and each request's own time gives its own rows."""
    period = factories.PeriodFactory(evaluation_window_days=10)
    now = timezone.now()
    older, newer = (
        factories.ActivityFactory(rt=place, kelurahan=place.rw.kelurahan, period=period)
        for place in (rt, foreign_rt)
    )
    Activity.objects.filter(pk=older.pk).update(status_changed_at=now - datetime.timedelta(days=30))
    Activity.objects.filter(pk=newer.pk).update(status_changed_at=now - datetime.timedelta(days=2))

    days = datetime.timedelta(days=1)
    cases = [
        # since, until, changed since, and within the window of until
        (now - 40 * days, now - 25 * days, [older, newer], [older]),
        (now - 10 * days, now - 25 * days, [newer], []),
        (now - 40 * days, now - 5 * days, [older, newer], [older, newer]),
    ]
    for since, until, changed, within in cases:
        values = {"since": since, "until": until}
        since_query = Prepared(Activity, changed_since, "since", values)
        window_query = Prepared(Activity, changed_since, "window", values)
        assert since_query.rows() == list(since_query.queryset()) == changed
        assert window_query.rows() == list(window_query.queryset()) == within
    assert len(shapes_of(changed_since)) == 2
    assert all_prepared(changed_since)


def _created(shape, values):
    """A column Django converts as it reads it (a moment, on SQLite), in rows and as tuples."""
    queryset = Activity.objects.filter(rt__in=values["rts"]).order_by("pk")
    return queryset.values_list("pk", "created_at") if shape == "tuples" else queryset


def test_a_statements_converters_are_worked_out_once_and_convert_every_run(
    monkeypatch, rt, other_rt
):
    activities = [factories.ActivityFactory(rt=place) for place in (rt, rt, other_rt)]
    worked_out = []
    original = connection.ops.compiler("SQLCompiler").get_converters

    def get_converters(compiler, expressions):
        worked_out.append(len(expressions))
        return original(compiler, expressions)

    monkeypatch.setattr(connection.ops.compiler("SQLCompiler"), "get_converters", get_converters)
    for _run in range(3):
        for place in (rt, other_rt):
            values = {"rts": (place.pk,)}
            rows = Prepared(Activity, _created, "rows", values).rows()
            tuples = Prepared(Activity, _created, "tuples", values).tuples()
            assert rows == [each for each in activities if each.rt_id == place.pk]
            assert tuples == [(each.pk, each.created_at) for each in rows]
            assert all(isinstance(each.created_at, datetime.datetime) for each in rows)

    # Django's two compilations of each shape's stand-ins read none; its runs, one each.
    assert len(worked_out) == 2


def _rt_totals(shape, values):
    return prepared.totals(
        RT.objects.filter(rw__kelurahan__in=values["kelurahan"]),
        rts=Count("pk"),
        highest=Max("number"),
    )


def test_totals_are_djangos_aggregate_in_one_row_with_rows_or_none(rt, other_rt, foreign_rt):
    for kelurahan in ((rt.rw.kelurahan_id,), (foreign_rt.rw.kelurahan_id,), (0,)):
        expected = RT.objects.filter(rw__kelurahan__in=kelurahan).aggregate(
            rts=Count("pk"), highest=Max("number")
        )
        rows = Prepared(RT, _rt_totals, "", {"kelurahan": kelurahan}).tuples()
        assert rows == [(expected["rts"], expected["highest"])]
    assert rows == [(0, None)]
    assert all_prepared(_rt_totals)


def test_a_query_asked_for_its_generic_plan_says_so_for_each_of_its_statements(
    rt, other_rt, monkeypatch
):
    """``generic_plan`` goes with the query to its steps, its pages and its row by id; on
    PostgreSQL each statement's SQL is given to the backend (``rtkeren.db.postgresql``), on
    SQLite, which keeps no plans, nothing is."""
    given = []
    if connection.vendor == "postgresql":
        monkeypatch.setattr(connection, "use_generic_plan", given.append, raising=False)
    values = {"kelurahan": (rt.rw.kelurahan_id,)}
    query = Prepared(RT, rts_of, "generic", values, generic_plan=True)
    variants = [query.then(_named_first), query.into(RT, _named_last), query.sliced(1, 1)]

    assert all(variant.generic_plan for variant in [query, *variants])
    assert query.one(other_rt.pk) == other_rt
    for variant in variants:
        assert variant.rows() == list(variant.queryset())
    assert not Prepared(RT, rts_of, "all", values).generic_plan
    if connection.vendor == "postgresql":
        assert len(given) == 4
        assert query.then(_named_first).compiled(connection.alias)[0] in given
    else:
        assert given == []


def _named_first(queryset):
    return queryset.order_by("number")


def _named_last(queryset):
    return queryset.order_by("-number")
