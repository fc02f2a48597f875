"""The attention list counts every provider's items in one query (``with_counts``): each count
must be what counting its queryset alone gives, for every kind of person."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rtkeren import registry
from rtkeren.models import RT, Notification, Resident, RoleAssignment, User
from rtkeren.prepared import Prepared
from rtkeren.registry import with_counts
from rtkeren.selectors.counting import count_together
from tests.conftest import demo_loaded
from tests.prepared_support import all_prepared

pytestmark = pytest.mark.django_db


def provided(user) -> list[registry.AttentionItem]:
    return [item for _name, provider in registry.attention.items() for item in provider(user)]


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, loaded for the class that asks for it."""
    yield from demo_loaded(django_db_blocker)


class TestOnTheDemo:
    def test_each_count_is_its_querysets_own_for_every_demo_account(self, demo):
        today = timezone.localdate()
        people = User.objects.filter(
            pk__in=RoleAssignment.objects.current(today).values("user")
        ).order_by("pk")
        roles = set(RoleAssignment.objects.current(today).values_list("role", flat=True))
        shown = 0
        for user in people:
            items = provided(user)
            alone = [
                item.counted.count() if item.counted is not None else item.count for item in items
            ]
            with CaptureQueriesContext(connection) as queries:
                together = [item.count for item in with_counts(items)]

            assert together == alone, user.username
            assert len(queries) <= 1, user.username
            shown += sum(bool(count) for count in together)
        # The demo holds people of most roles, and something to count for many of them.
        assert len(roles) >= 7
        assert len(people) >= 10
        assert shown >= 10


def test_an_item_without_a_queryset_keeps_its_count_and_text(resident_user):
    items = [
        registry.AttentionItem(title="a", count=3),
        registry.AttentionItem(title="b", text="Tutup besok"),
        registry.AttentionItem(title="c", counted=User.objects.filter(pk=resident_user.pk)),
    ]

    counted = with_counts(items)

    assert [(item.title, item.count, item.text) for item in counted] == [
        ("a", 3, ""),
        ("b", None, "Tutup besok"),
        ("c", 1, ""),
    ]
    assert all(item.counted is None for item in counted)


def test_count_together_counts_several_tables_in_one_query(rt, other_rt, resident_user):
    Resident.objects.filter(rt=rt).update(verification=Resident.Verification.PENDING)
    Notification.objects.bulk_create(
        Notification(recipient=resident_user, message=f"Pesan {n}") for n in range(4)
    )
    querysets = [
        Resident.objects.filter(verification=Resident.Verification.PENDING, rt__in=[rt.pk]),
        Resident.objects.filter(rt=other_rt),
        Notification.objects.filter(recipient=resident_user).order_by("-pk"),
        Notification.objects.filter(recipient=resident_user, read_at__isnull=False),
        # A filter on an empty list matches nothing: counted without asking.
        Resident.objects.filter(rt__in=[]),
    ]
    alone = [queryset.count() for queryset in querysets]

    with CaptureQueriesContext(connection) as queries:
        together = count_together(querysets)

    assert together == alone
    assert alone[2] == 4
    assert len(queries) == 1


def test_count_together_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert count_together([Resident.objects.filter(pk__in=[])]) == [0]
        assert count_together([]) == []


def _rts_in(shape, values):
    return RT.objects.filter(rw__kelurahan__in=values["kelurahan"])


@pytest.mark.usefixtures("no_prepared_shapes")
def test_a_prepared_query_is_counted_from_the_sql_kept_for_its_shape(
    rt, other_rt, foreign_rt, django_assert_num_queries
):
    prepared = Prepared(RT, _rts_in, (), {"kelurahan": (rt.rw.kelurahan_id,)})
    nothing = Prepared(RT, _rts_in, (), {"kelurahan": ()})

    with django_assert_num_queries(1):
        counts = count_together([prepared, RT.objects.all(), nothing])

    assert counts == [2, 3, 0]
    assert all_prepared(_rts_in)


@pytest.mark.usefixtures("no_prepared_shapes")
def test_the_home_pages_counts_are_read_prepared(
    client, rt_chair, officer, rw_chair, resident_user
):
    from assessment.selectors import _evaluations_to_do, _overdue_follow_ups
    from commissioning.selectors import _forums_waiting_for_minutes, _upcoming_forums
    from delivery.selectors import _open_tasks
    from designing.attention import _drafts, _open_for, _to_announce, _to_review
    from rtkeren.attention import _waiting

    for user in (rt_chair, officer, rw_chair, resident_user):
        client.force_login(user)
        assert client.get("/").status_code == 200

    for build in (
        _evaluations_to_do,  # with the clock's time as a value
        _waiting,
        _drafts,
        _to_review,
        _to_announce,
        _open_for,
        _open_tasks,
        _overdue_follow_ups,
        _upcoming_forums,
        _forums_waiting_for_minutes,
    ):
        assert all_prepared(build), build.__qualname__
