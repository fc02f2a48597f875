"""Co-delivery's section of the public page: completion per activity and for the kelurahan."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from delivery.models import COMPLETION_STATUSES, Output
from delivery.public import kelurahan_section
from rtkeren.models import ActivityStatus
from tests import factories
from tests.delivery.factories import OutputFactory, approved_activity

pytestmark = pytest.mark.django_db


def test_completion_rates_per_activity_and_for_the_kelurahan(rt, period):
    batik = approved_activity(rt, status=ActivityStatus.IN_DELIVERY, period=period, title="Batik")
    OutputFactory(activity=batik, target_quantity=10, finished_quantity=5, status="in_progress")
    OutputFactory(activity=batik, target_quantity=10, finished_quantity=10, status="finished")
    tari = approved_activity(rt, status=ActivityStatus.DELIVERED, period=period, title="Tari")
    OutputFactory(activity=tari, target_quantity=20, finished_quantity=0)
    not_started = approved_activity(rt, period=period, title="Belum mulai")
    OutputFactory(activity=not_started, target_quantity=50)
    approved_activity(rt, status=ActivityStatus.IN_DELIVERY, period=period, title="Tanpa produk")

    _template, context = kelurahan_section(rt.rw.kelurahan, period, QueryDict())
    rates = [(a.title, a.completion["rate"]) for a in context["activities"]]
    assert rates == [("Batik", 75), ("Tari", 0)]
    assert context["completion"] == {"planned": 40, "finished": 15, "rate": 37}
    assert Output.objects.count() == 4


def test_empty_kelurahan_has_no_rate(rt, period):
    _template, context = kelurahan_section(rt.rw.kelurahan, period, QueryDict())
    assert context["activities"] == []
    assert context["completion"]["rate"] is None


def test_an_obstacle_shows_in_full_on_the_delivery_page_briefly_in_the_report_never_in_public(
    client, officer, rt, period
):
    activity = approved_activity(rt, status=ActivityStatus.IN_DELIVERY, period=period)
    OutputFactory(activity=activity, obstacle="materials", obstacle_note="Kain mori habis di toko.")
    client.force_login(officer)

    delivery_page = client.get(reverse("delivery:activity-detail", args=[activity.pk])).text
    report = client.get(reverse("report-activity", args=[activity.pk])).text
    public = client.get(reverse("public-kelurahan", args=[rt.rw.kelurahan.code])).text

    assert "Bahan: Kain mori habis di toko." in delivery_page
    assert "· Bahan" in report
    assert "Kain mori habis" not in report
    assert "Kain mori habis" not in public
    assert "Bahan" not in public.split('id="public-delivery"')[1]


def test_the_outputs_are_paged_and_the_rate_counts_the_whole_year(client, rt, period):
    for number in range(1, 8):
        activity = approved_activity(
            rt, status=ActivityStatus.IN_DELIVERY, period=period, title=f"Pelatihan {number}"
        )
        OutputFactory(activity=activity, target_quantity=10, finished_quantity=number)

    first = kelurahan_section(rt.rw.kelurahan, period, QueryDict())[1]
    second = kelurahan_section(rt.rw.kelurahan, period, QueryDict("luaran=2"))[1]

    assert [a.title for a in first["activities"]] == [f"Pelatihan {n}" for n in range(1, 6)]
    assert [a.title for a in second["activities"]] == ["Pelatihan 6", "Pelatihan 7"]
    assert (
        first["completion"]
        == second["completion"]
        == {
            "planned": 70,
            "finished": 28,
            "rate": 40,
        }
    )
    page = client.get(
        reverse("public-kelurahan", args=[rt.rw.kelurahan.code]), {"tahun": period.year}
    ).text
    section = page.split('id="public-delivery"')[1].split("</section>")[0]
    assert section.count("<article") == 5
    assert f"?tahun={period.year}&amp;luaran=2#public-delivery" in section


def test_the_rate_counts_the_kelurahan_and_year_alone_on_any_page(rt, foreign_rt, period):
    """The totals come with the page's rows: a page past the last, the last page, still carries
    the whole year's, and another kelurahan's or year's products never count."""
    for number in range(1, 7):
        activity = approved_activity(
            rt, status=ActivityStatus.DELIVERED, period=period, title=f"Pelatihan {number}"
        )
        OutputFactory(activity=activity, target_quantity=4, finished_quantity=number % 5)
    elsewhere = approved_activity(foreign_rt, status=ActivityStatus.DELIVERED, period=period)
    OutputFactory(activity=elsewhere, target_quantity=100, finished_quantity=100)
    last_year = factories.PeriodFactory(year=period.year - 1)
    earlier = approved_activity(rt, status=ActivityStatus.DELIVERED, period=last_year)
    OutputFactory(activity=earlier, target_quantity=100, finished_quantity=0)

    past_the_end = kelurahan_section(rt.rw.kelurahan, period, QueryDict("luaran=9"))[1]

    assert [a.title for a in past_the_end["activities"]] == ["Pelatihan 6"]
    assert past_the_end["completion"] == {"planned": 24, "finished": 11, "rate": 45}
    # Recomputed from the records: the year's outputs of the kelurahan in or past delivery.
    assert (
        past_the_end["completion"]
        == Output.objects.filter(
            activity__kelurahan=rt.rw.kelurahan,
            activity__period=period,
            activity__status__in=COMPLETION_STATUSES,
        ).completion()
    )
