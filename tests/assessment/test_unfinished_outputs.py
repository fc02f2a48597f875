"""Unfinished outputs reach assessment: the evaluation page offers each as a follow-up, a
follow-up points at its output, and the scorecard lists them with how far they are followed up."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import scorecard, selectors, services
from assessment.models import FollowUp
from delivery import services as delivery_services
from delivery.models import Output
from tests import factories as core
from tests.delivery.factories import OutputFactory
from tests.prepared_support import all_prepared

from . import test_permissions as matrix
from .factories import FollowUpFactory, delivered_activity

pytestmark = pytest.mark.django_db


def next_week():
    return timezone.localdate() + datetime.timedelta(days=7)


@pytest.fixture
def short_output(activity):
    return OutputFactory(
        activity=activity,
        name="Kain batik tulis",
        target_quantity=20,
        finished_quantity=12,
        status="in_progress",
        obstacle="materials",
        obstacle_note="Malam batik habis.",
    )


def _follow_up_data(owner) -> dict:
    return {
        "obstacle": "Kain batik tulis: 12 dari 20 selesai.",
        "action": "Pokmas membeli malam batik.",
        "owner": owner.pk,
        "due_on": next_week().isoformat(),
    }


def test_the_evaluation_page_offers_each_unfinished_output(client, officer, activity, short_output):
    OutputFactory(activity=activity, name="Taplak", finished_quantity=10, status="finished")
    client.force_login(officer)

    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk])).content
    page = page.decode()

    assert "Luaran belum selesai" in page
    assert "Kain batik tulis" in page
    assert "12 dari 20 lembar selesai" in page
    assert "Bahan: Malam batik habis." in page
    assert "Belum ditindaklanjuti" in page
    assert f"?output={short_output.pk}" in page
    assert "Taplak" not in page


def test_a_follow_up_from_an_output_starts_from_it_and_points_at_it(
    client, officer, rt_chair, activity, short_output
):
    client.force_login(officer)
    url = reverse("assessment:followup-create", args=[activity.pk]) + f"?output={short_output.pk}"

    form = client.get(url).content.decode()
    assert "Kain batik tulis: 12 dari 20 lembar selesai. Bahan: Malam batik habis." in form
    assert f'name="output" value="{short_output.pk}"' in form

    response = client.post(url, _follow_up_data(rt_chair))

    follow_up = FollowUp.objects.get()
    assert response.status_code == 302
    assert follow_up.output == short_output
    assert follow_up.output_type == ContentType.objects.get_for_model(Output)
    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk])).content
    assert "Tindak lanjut berjalan" in page.decode()


def test_an_output_of_another_activity_is_not_linked(
    client, officer, rt_chair, activity, rt, period
):
    elsewhere = OutputFactory(
        activity=delivered_activity(by=officer, rt=rt, period=period), name="Tas anyaman"
    )
    client.force_login(officer)
    url = reverse("assessment:followup-create", args=[activity.pk]) + f"?output={elsewhere.pk}"

    assert "Tas anyaman" not in client.get(url).content.decode()
    client.post(url, _follow_up_data(rt_chair))

    assert FollowUp.objects.get().output_id is None


@pytest.mark.parametrize("value", ["abc", "-1", "0", "9" * 40, "1e3", "١", ""])
def test_a_hostile_output_parameter_is_ignored(client, officer, activity, short_output, value):
    client.force_login(officer)
    url = reverse("assessment:followup-create", args=[activity.pk])

    response = client.get(url, {"output": value})

    assert response.status_code == 200
    assert "Malam batik habis" not in response.content.decode()


def test_the_service_refuses_an_output_of_another_activity(officer, rt_chair, activity, rt, period):
    other = delivered_activity(by=officer, rt=rt, period=period)
    OutputFactory(activity=other, finished_quantity=1, obstacle="time")
    [foreign] = selectors.unfinished_outputs_followed(selectors.one_activity(other))

    with pytest.raises(ValidationError, match="milik kegiatan lain"):
        services.follow_up_create(
            activity=activity,
            by=officer,
            output=foreign.output,
            obstacle="x",
            action="y",
            owner=rt_chair,
            due_on=next_week(),
        )
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("persona", matrix.PERSONAS)
def test_who_may_follow_up_an_output(client, request, persona, activity, short_output, rt_chair):
    url = reverse("assessment:followup-create", args=[activity.pk]) + f"?output={short_output.pk}"
    expected = matrix.RECORDERS[persona]

    assert matrix._status(client, request, persona, "get", url) == expected
    posted = matrix._status(client, request, persona, "post", url, _follow_up_data(rt_chair))

    assert posted == (302 if expected == 200 else expected)
    assert FollowUp.objects.filter(output_id=short_output.pk).exists() == (expected == 200)


def test_an_officer_of_another_kelurahan_changing_the_id_gets_404(
    client, foreign_officer, activity, short_output, rt_chair
):
    client.force_login(foreign_officer)
    url = reverse("assessment:followup-create", args=[activity.pk]) + f"?output={short_output.pk}"

    assert client.get(url).status_code == 404
    assert client.post(url, _follow_up_data(rt_chair)).status_code == 404
    assert not FollowUp.objects.exists()


# The scorecard.


def test_the_scorecard_lists_unfinished_outputs_with_their_follow_up_status(
    client, city_viewer, officer, rt, other_rt, period, foreign_rt
):
    def output(name, *, place=rt, in_period=period, **fields):
        activity = delivered_activity(
            by=officer, rt=place, period=in_period, title=f"Kegiatan {name}"
        )
        return OutputFactory(activity=activity, name=name, finished_quantity=2, **fields)

    output("Kain tanpa tindak lanjut", obstacle="time", obstacle_note="Pak Darmo sakit.")
    followed = output("Tas dengan tindak lanjut", place=other_rt)
    FollowUpFactory(activity=followed.activity, output=followed)
    closed = output("Taplak sudah ditindaklanjuti")
    FollowUpFactory(activity=closed.activity, output=closed, status="done", resolution="Selesai.")
    output("Selendang di kelurahan lain", place=foreign_rt)
    output("Kipas tahun lalu", in_period=core.PeriodFactory(year=period.year - 1))
    running = core.ActivityFactory(rt=rt, period=period, status="in_delivery")
    OutputFactory(activity=running, name="Masih dikerjakan")
    client.force_login(city_viewer)

    kelurahan = rt.rw.kelurahan
    page = client.get(reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]))
    text = page.content.decode()

    assert "Luaran belum selesai" in text
    for name, status in (
        ("Kain tanpa tindak lanjut", "Belum ditindaklanjuti"),
        ("Tas dengan tindak lanjut", "Tindak lanjut berjalan"),
        ("Taplak sudah ditindaklanjuti", "Tindak lanjut selesai"),
    ):
        line = text[text.index(name) :].split("</li>")[0]
        assert status in line
    assert "Kendala: Waktu" in text
    assert "Pak Darmo" not in text
    for absent in ("Selendang di kelurahan lain", "Kipas tahun lalu", "Masih dikerjakan"):
        assert absent not in text
    rt_page = client.get(reverse("assessment:scorecard-rt", args=[other_rt.pk])).content.decode()
    assert "Tas dengan tindak lanjut" in rt_page
    assert "Kain tanpa tindak lanjut" not in rt_page


def _line(page: str, name: str) -> str:
    return page[page.index(name) :].split("</li>")[0]


def test_a_scorecards_unfinished_outputs_are_shared_until_one_changes(
    client, city_viewer, officer, rt, period, django_capture_on_commit_callbacks
):
    activity = delivered_activity(by=officer, rt=rt, period=period, title="Kegiatan batik")
    output = OutputFactory(activity=activity, name="Kain batik", target_quantity=20)
    url = reverse("assessment:scorecard-rt", args=[rt.pk])
    client.force_login(city_viewer)
    assert "Belum ditindaklanjuti" in _line(client.get(url).text, "Kain batik")

    # Everyone who opens the scorecard reads the same list: the next reading takes no query
    # of the outputs or their follow-ups.
    with CaptureQueriesContext(connection) as captured:
        assert "Kain batik" in client.get(url).text
    tables = ("delivery_output", "assessment_followup")
    assert not [q for q in captured if any(table in q["sql"] for table in tables)]

    # A follow-up saved, and an output's progress through the service, show at once.
    FollowUpFactory(activity=activity, output=output)
    assert "Tindak lanjut berjalan" in _line(client.get(url).text, "Kain batik")
    with django_capture_on_commit_callbacks(execute=True):
        delivery_services.output_progress(
            output=output, by=officer, finished_quantity=20, status=Output.Status.FINISHED
        )
    assert "Kain batik" not in client.get(url).text


def _grow(rt, period, officer, count):
    for _ in range(count):
        activity = delivered_activity(by=officer, rt=rt, period=period)
        output = OutputFactory(activity=activity, finished_quantity=3, obstacle="funds")
        FollowUpFactory(activity=activity, output=output)
        OutputFactory(activity=activity, finished_quantity=1)


def _queries(client, url) -> int:
    # Outputs are not among the scorecard's inputs: its figures would come from the cache the
    # second time. Both readings compute them, so that they measure the same work.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["city", "kelurahan", "rt"])
def test_scorecard_queries_hold_at_one_and_many_outputs(
    client, city_viewer, kelurahan, rt, period, officer, page
):
    url = {
        "city": reverse("assessment:scorecard-city"),
        "kelurahan": reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        "rt": reverse("assessment:scorecard-rt", args=[rt.pk]),
    }[page]
    client.force_login(city_viewer)
    _grow(rt, period, officer, 1)
    one = _queries(client, url)

    _grow(rt, period, officer, 30)

    assert _queries(client, url) == one


def test_evaluation_page_queries_hold_at_one_and_many_outputs(client, officer, activity):
    url = reverse("assessment:evaluation-summary", args=[activity.pk])
    client.force_login(officer)
    OutputFactory(activity=activity, finished_quantity=1, obstacle="time")
    one = _queries(client, url)

    for _ in range(25):
        output = OutputFactory(activity=activity, finished_quantity=1, obstacle="time")
        FollowUpFactory(activity=activity, output=output)

    assert _queries(client, url) == one


@pytest.mark.usefixtures("no_prepared_shapes")
@pytest.mark.parametrize("page", ["kelurahan", "rt"])
def test_a_scorecard_on_a_miss_reads_its_card_and_outputs_prepared(
    client, city_viewer, kelurahan, rt, period, officer, page
):
    """Each RT's scorecard is mostly a miss (few read the same one): its card's two queries and
    the outputs' two run prepared, with the place's own values."""
    url = {
        "kelurahan": reverse("assessment:scorecard-kelurahan", args=[kelurahan.pk]),
        "rt": reverse("assessment:scorecard-rt", args=[rt.pk]),
    }[page]
    client.force_login(city_viewer)
    _grow(rt, period, officer, 2)
    cache.clear()

    response = client.get(url)

    assert response.status_code == 200
    listed = [(row.output.finished, row.status) for row in response.context["unfinished_outputs"]]
    assert listed == [(3, "open"), (1, "none"), (3, "open"), (1, "none")]
    assert all_prepared(scorecard._base_query)
    assert all_prepared(scorecard._stages_query)
    assert all_prepared(selectors._delivered_activities_of)
