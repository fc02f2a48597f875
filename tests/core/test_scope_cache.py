"""Shared caches follow the scope versions the services change on commit: a write in a kelurahan
shows on the next request of every page that counts it, leaves the other kelurahan's cached
figures alone, and a write rolled back changes no version. No database trigger is left of the
data version that came before."""

import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import scorecard
from assessment.scorecard import Scope
from delivery.services import attendance_mark
from rtkeren.checks import check_shared_cache
from rtkeren.models import ActivityStatus, Stage
from rtkeren.scopecache import rt_scope_version, scope_changed, scope_version
from rtkeren.services.ledger import participation_record
from tests import factories
from tests.delivery.factories import MeetingFactory

OLD_TRIGGER = "rtkeren_data_version"


def _delivery(response) -> int:
    """The participants in delivery on a scorecard page, or in the public page's scorecard (read
    from the page: its content may come from the cache, rendered for an earlier request)."""
    card = response.context.get("card")
    if card is not None:
        return card.result(Stage.DELIVERY).participants
    row = re.search(
        rf'<th scope="row" class="fw-normal">{re.escape(str(Stage.DELIVERY.label))}'
        r'.*?<td class="text-end" data-label="[^"]*">(\d+)</td>',
        response.content.decode(),
        re.DOTALL,
    )
    return int(row.group(1))


@pytest.mark.django_db
def test_an_officers_attendance_shows_on_the_next_request_of_every_page(
    client, city_viewer, officer, kelurahan, rt, period, django_capture_on_commit_callbacks
):
    resident = factories.ResidentFactory(rt=rt)
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    meeting = MeetingFactory(activity=activity, date=period.starts_on)
    client.force_login(city_viewer)
    urls = [
        reverse("assessment:scorecard-rt", args=[rt.pk]),
        reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        reverse("assessment:scorecard-city"),
        reverse("public-kelurahan", args=[kelurahan.code]) + f"?tahun={period.year}",
    ]
    # Read twice, so that every figure is in the cache before the write.
    before = [_delivery(client.get(url)) for url in urls for _ in range(2)]

    with django_capture_on_commit_callbacks(execute=True):
        attendance_mark(meeting=meeting, by=officer, present=[resident.pk])
    after = [_delivery(client.get(url)) for url in urls]

    assert before == [0] * 8
    assert after == [1, 1, 1, 1]


@pytest.mark.django_db
def test_a_write_in_another_kelurahan_leaves_the_cached_scorecard_alone(
    kelurahan, foreign_rt, rt, period, django_capture_on_commit_callbacks
):
    scorecard.scorecard(scope=Scope(kelurahan=kelurahan), period=period)
    versions = (scope_version(kelurahan.pk), scope_version(foreign_rt.rw.kelurahan_id))
    elsewhere = factories.ResidentFactory(rt=foreign_rt)

    with django_capture_on_commit_callbacks(execute=True):
        participation_record(
            resident=elsewhere, kind="vote_cast", subject=foreign_rt, period=period
        )

    assert scope_version(kelurahan.pk) == versions[0]
    assert scope_version(foreign_rt.rw.kelurahan_id) != versions[1]


@pytest.mark.django_db
def test_a_write_rolled_back_changes_no_version(
    kelurahan, rt, period, django_capture_on_commit_callbacks
):
    resident = factories.ResidentFactory(rt=rt)
    version = scope_version(kelurahan.pk)

    def refused_write():
        with transaction.atomic():
            participation_record(resident=resident, kind="vote_cast", subject=rt, period=period)
            raise RuntimeError("refused")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pytest.raises(RuntimeError, refused_write)

    assert callbacks == []
    assert scope_version(kelurahan.pk) == version


@pytest.mark.django_db
def test_a_committed_write_changes_its_kelurahan(
    kelurahan, rt, period, django_capture_on_commit_callbacks
):
    resident = factories.ResidentFactory(rt=rt)
    version = scope_version(kelurahan.pk)

    with django_capture_on_commit_callbacks(execute=True):
        participation_record(resident=resident, kind="vote_cast", subject=rt, period=period)

    assert scope_version(kelurahan.pk) != version


def _queries(client, url) -> tuple[int, int]:
    """The page's queries, and the delivery participants it shows."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), _delivery(response)


@pytest.mark.django_db
def test_an_rts_figures_follow_writes_in_that_rt_not_in_its_neighbours(
    client,
    city_viewer,
    officer,
    kelurahan,
    rt,
    other_rt,
    period,
    django_capture_on_commit_callbacks,
):
    # An RT's scorecard is read by its own residents; a check-in in the next RT of the
    # kelurahan changes the kelurahan's figures, not this RT's, and must not make them counted
    # again.
    meetings = {}
    for place in (rt, other_rt):
        activity = factories.ActivityFactory(
            rt=place, period=period, status=ActivityStatus.IN_DELIVERY
        )
        meetings[place] = MeetingFactory(activity=activity, date=period.starts_on)
    neighbour = factories.ResidentFactory(rt=other_rt)
    own = factories.ResidentFactory(rt=rt)
    url = reverse("assessment:scorecard-rt", args=[rt.pk])
    client.force_login(city_viewer)
    client.get(url)
    cached = _queries(client, url)
    kelurahan_version = scope_version(kelurahan.pk)

    with django_capture_on_commit_callbacks(execute=True):
        attendance_mark(meeting=meetings[other_rt], by=officer, present=[neighbour.pk])

    assert scope_version(kelurahan.pk) != kelurahan_version
    assert _queries(client, url) == cached

    with django_capture_on_commit_callbacks(execute=True):
        attendance_mark(meeting=meetings[rt], by=officer, present=[own.pk])

    queries, participants = _queries(client, url)
    assert queries > cached[0]
    assert participants == cached[1] + 1


@pytest.mark.django_db
def test_a_write_that_names_no_rt_renews_every_rt_of_its_kelurahan(
    kelurahan, rt, other_rt, foreign_rt, django_capture_on_commit_callbacks
):
    def versions():
        return [
            rt_scope_version(place.rw.kelurahan_id, place.pk)
            for place in (rt, other_rt, foreign_rt)
        ]

    before = versions()

    with django_capture_on_commit_callbacks(execute=True):
        scope_changed(kelurahan_ids=[kelurahan.pk])

    after = versions()
    assert after[0] != before[0]
    assert after[1] != before[1]
    assert after[2] == before[2]


@pytest.mark.django_db
def test_a_write_in_no_rt_of_a_kelurahan_renews_none_of_its_rts(
    kelurahan, rt, django_capture_on_commit_callbacks
):
    version = rt_scope_version(kelurahan.pk, rt.pk)

    with django_capture_on_commit_callbacks(execute=True):
        # An evaluation of a kelurahan-wide activity (its RT is None).
        scope_changed(kelurahan_ids=[kelurahan.pk], rt_ids=[None])

    assert rt_scope_version(kelurahan.pk, rt.pk) == version


def test_a_cache_of_each_process_alone_is_warned_of_at_deployment(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [warning.id for warning in check_shared_cache()] == ["rtkeren.W103"]

    settings.CACHES = {"default": {"BACKEND": "rtkeren.cache.RedisCache", "LOCATION": "redis://"}}
    assert check_shared_cache() == []


def _old_triggers() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal",
                [f"{OLD_TRIGGER}%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name GLOB %s",
                [f"{OLD_TRIGGER}*"],
            )
        return [row[0] for row in cursor.fetchall()]


def _old_function() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_proc WHERE proname = %s", [OLD_TRIGGER])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_no_trigger_of_the_data_version_remains():
    assert _old_triggers() == []
    assert _old_function() == 0


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_the_triggers_of_a_database_that_has_them():
    try:
        call_command("migrate", "rtkeren", "0027", verbosity=0)
        created = _old_triggers()
        function = _old_function()
    finally:
        call_command("migrate", verbosity=0)

    # Every table of the portal's apps had them: three per table on SQLite, one on PostgreSQL.
    assert len(created) > 40
    assert function == (1 if connection.vendor == "postgresql" else 0)
    assert _old_triggers() == []
    assert _old_function() == 0
