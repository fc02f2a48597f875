"""A kelurahan's money for anyone: each RT's ceiling, approved and spent as its LPJ counts them,
the money by source and nature, the activities' spending lines with residents' names blanked,
their products, and only the photos everyone recorded at the meeting agreed to."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery.openbooks import rt_money
from delivery.reports import lpj_activities
from rtkeren.models import Activity, ActivityStatus, Consent
from rtkeren.services.activities import activity_approve
from rtkeren.services.budget import activity_shares_set
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db


def spending_page(kelurahan, query=""):
    return reverse("public-spending", args=[kelurahan.code]) + query


@pytest.fixture
def festival(rt, other_rt, period, officer):
    """A kelurahan-wide activity paid from both RTs' allocations (3,3 and 2 million), in
    delivery, with Rp2.650.000 spent."""
    festival = core.ActivityFactory(
        rt=None,
        kelurahan=rt.rw.kelurahan,
        period=period,
        status=ActivityStatus.PROPOSED,
        title="Festival hadrah lintas iman",
        nature=Activity.Nature.NONFISIK,
    )
    core.BudgetLineFactory(activity=festival, quantity=1, unit="paket", unit_price=5_300_000)
    activity_shares_set(
        activity=festival, by=officer, amounts={rt.pk: 3_300_000, other_rt.pk: 2_000_000}
    )
    activity_approve(activity=festival, by=officer)
    Activity.objects.filter(pk=festival.pk).update(status=ActivityStatus.IN_DELIVERY)
    factories.SpendingFactory(activity=festival, item="Sewa tata suara", amount=2_650_000)
    return festival


@pytest.fixture
def books(rt, other_rt, period, rt_chair, festival):
    """Money in both RTs: own activities of every source and status, and the festival."""
    paving = factories.approved_activity(
        rt,
        period=period,
        author=rt_chair,
        status=ActivityStatus.IN_DELIVERY,
        budget=30_000_000,
        nature=Activity.Nature.FISIK,
        title="Paving gang",
    )
    factories.SpendingFactory(activity=paving, item="Paving block 500 buah", amount=12_500_000)
    factories.SpendingFactory(activity=paving, item="Semen 20 sak", amount=1_300_000)
    batik = factories.approved_activity(
        other_rt,
        period=period,
        status=ActivityStatus.DELIVERED,
        budget=4_000_000,
        nature=Activity.Nature.NONFISIK,
        title="Pelatihan batik",
    )
    factories.SpendingFactory(activity=batik, item="Kain mori", amount=3_900_000)
    swadaya = factories.approved_activity(
        rt,
        period=period,
        status=ActivityStatus.DELIVERED,
        budget=2_000_000,
        nature=Activity.Nature.FISIK,
        funding_source=Activity.Funding.SWADAYA,
        title="Kerja bakti saluran",
    )
    factories.SpendingFactory(activity=swadaya, item="Sewa cangkul", amount=250_000)
    # Not yet approved, so no money of the RT's is committed.
    factories.approved_activity(
        rt, period=period, status=ActivityStatus.PROPOSED, budget=9_000_000, title="Usulan"
    )
    return {"paving": paving, "batik": batik, "swadaya": swadaya}


def test_each_rt_is_shown_as_its_lpj_adds_up(client, rt, other_rt, period, books):
    response = client.get(spending_page(rt.rw.kelurahan, f"?tahun={period.year}"))

    assert response.status_code == 200
    rows = {row.rt: row for row in response.context["rts"]}
    for place in (rt, other_rt):
        accounted = lpj_activities(rt=place, period=period)
        assert rows[place].approved == sum(activity.budget for activity in accounted)
        assert rows[place].realised == sum(activity.spent for activity in accounted)
        assert rows[place].ceiling == period.ceiling_for(place)
    assert rows[rt].approved_fisik == 30_000_000
    assert rows[rt].approved_nonfisik == 3_300_000
    assert rows[rt].realised == 12_500_000 + 1_300_000 + 1_650_000
    assert rows[other_rt].realised == 3_900_000 + 1_000_000
    content = response.content.decode()
    assert "Rp33.300.000" in content
    assert "Rp15.450.000" in content


def test_the_kelurahan_totals_agree_with_the_rts_and_every_source(client, rt, period, books):
    response = client.get(spending_page(rt.rw.kelurahan))

    totals = response.context["totals"]
    assert totals.approved == sum(row.approved for row in response.context["rts"])
    (_, by_source), (_, by_nature) = response.context["money_tables"]
    sources = {row.label: row for row in by_source}
    rt_keren = sources[Activity.Funding.RT_KEREN.label]
    assert (rt_keren.approved, rt_keren.realised) == (totals.approved, totals.realised)
    swadaya = sources[Activity.Funding.SWADAYA.label]
    assert (swadaya.approved, swadaya.realised) == (2_000_000, 250_000)
    assert sum(row.approved for row in by_source) == sum(row.approved for row in by_nature)
    assert sum(row.realised for row in by_source) == sum(row.realised for row in by_nature)
    assert sum(row.realised for row in by_nature) == 12_500_000 + 1_300_000 + 3_900_000 + (
        2_650_000 + 250_000
    )


def test_spending_lines_show_no_resident_receipt_or_recorder(client, rt, period, books):
    seller = core.ResidentFactory(rt=rt, name="Siti Aminah")
    line = factories.SpendingFactory(
        activity=books["paving"],
        item=f"Konsumsi kerja bakti dari {seller.name}, HP 0812 3456 7890",
        amount=300_000,
    )

    content = client.get(spending_page(rt.rw.kelurahan)).content.decode()

    assert "Konsumsi kerja bakti dari [nama warga], HP [nomor HP]" in content
    assert "Siti Aminah" not in content
    assert "0812" not in content
    assert line.receipt.name not in content
    assert line.recorded_by.username not in content
    assert "Paving block 500 buah" in content


def test_products_are_listed_with_their_activity(client, rt, books):
    factories.OutputFactory(
        activity=books["batik"], name="Kain batik tulis", target_quantity=20, finished_quantity=15
    )
    content = client.get(spending_page(rt.rw.kelurahan)).content.decode()
    assert "Kain batik tulis" in content
    assert "15 / 20 lembar" in content


def consenting_attendee(meeting, *, minor=False):
    attendance = factories.AttendanceFactory(meeting=meeting, is_minor=minor)
    Consent.objects.create(
        resident=attendance.resident, purpose=Consent.Purpose.PHOTO, text="Setuju"
    )
    return attendance


@pytest.fixture
def photo(books):
    meeting = factories.MeetingFactory(activity=books["batik"])
    consenting_attendee(meeting)
    consenting_attendee(meeting)
    return factories.PhotoFactory(
        meeting=meeting, image=factories.image_upload(), caption="Peserta membatik"
    )


def test_a_photo_everyone_at_the_meeting_agreed_to_is_public(client, rt, photo):
    content = client.get(spending_page(rt.rw.kelurahan)).content.decode()
    url = reverse("public-photo", args=[photo.pk])
    assert url in content
    assert "Peserta membatik" in content
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("spoiler", ["no consent", "a minor", "no attendance", "not delivered"])
def test_a_photo_is_withheld_when_someone_did_not_agree(client, rt, photo, spoiler):
    meeting = photo.meeting
    if spoiler == "no consent":
        factories.AttendanceFactory(meeting=meeting)
    elif spoiler == "a minor":
        consenting_attendee(meeting, minor=True)
    elif spoiler == "no attendance":
        meeting.attendances.all().delete()
    else:
        Activity.objects.filter(pk=meeting.activity_id).update(status=ActivityStatus.APPROVED)

    content = client.get(spending_page(rt.rw.kelurahan)).content.decode()
    url = reverse("public-photo", args=[photo.pk])
    assert url not in content
    assert client.get(url).status_code == 404


def test_a_caption_naming_a_resident_is_blanked(client, rt, photo):
    attendee = photo.meeting.attendances.first().resident
    photo.caption = f"{attendee.name} menerima sertifikat"
    photo.save()
    content = client.get(spending_page(rt.rw.kelurahan)).content.decode()
    assert "[nama warga] menerima sertifikat" in content
    assert attendee.name not in content


def test_an_rt_filter_keeps_to_its_activities(client, rt, other_rt, books):
    response = client.get(spending_page(rt.rw.kelurahan, f"?rt={other_rt.pk}"))
    assert [activity.title for activity in response.context["activities"]] == ["Pelatihan batik"]


@pytest.mark.parametrize("query", ["?rt=999999", "?rt=x", "?tahun=1999", "?tahun=abc"])
def test_an_unknown_rt_or_year_is_404(client, rt, books, query):
    assert client.get(spending_page(rt.rw.kelurahan, query)).status_code == 404


def test_a_foreign_rt_is_404(client, rt, foreign_rt, books):
    assert client.get(spending_page(rt.rw.kelurahan, f"?rt={foreign_rt.pk}")).status_code == 404


def test_an_unknown_kelurahan_is_404(client, db):
    assert client.get(reverse("public-spending", args=["99.99.99.9999"])).status_code == 404


def test_a_kelurahan_without_money_says_so(client, kelurahan, period):
    response = client.get(spending_page(kelurahan))
    assert response.status_code == 200
    assert "Belum ada kegiatan yang dilaksanakan" in response.content.decode()


def test_the_public_page_links_the_spending(client, rt, period, books):
    content = client.get(reverse("public-kelurahan", args=[rt.rw.kelurahan.code])).content.decode()
    assert spending_page(rt.rw.kelurahan, f"?tahun={period.year}") in content


def test_queries_do_not_grow_with_rts_activities_lines_and_photos(
    client, kelurahan, rt, other_rt, period, books, photo
):
    with CaptureQueriesContext(connection) as one:
        assert client.get(spending_page(kelurahan)).status_code == 200
    for number in range(3, 12):
        place = core.RTFactory(rw=rt.rw, number=number)
        activity = factories.approved_activity(
            place, period=period, status=ActivityStatus.DELIVERED, budget=1_000_000
        )
        for _ in range(3):
            factories.SpendingFactory(activity=activity, amount=100_000)
        factories.OutputFactory(activity=activity)
        meeting = factories.MeetingFactory(activity=activity)
        consenting_attendee(meeting)
        for _ in range(6):
            factories.PhotoFactory(meeting=meeting, image=factories.image_upload())
    with CaptureQueriesContext(connection) as many:
        response = client.get(spending_page(kelurahan, "?halaman=2"))
    assert response.status_code == 200
    assert len(many) == len(one) == 16
    assert len(response.context["rts"]) == 11
    assert all(len(activity.public_photos) <= 4 for activity in response.context["activities"])


def test_rt_money_counts_nothing_of_another_period(rt, period, books):
    other = core.PeriodFactory(year=period.year - 1)
    assert all(row.approved == row.realised == 0 for row in rt_money(rt.rw.kelurahan, other))


def test_the_open_budgets_table_holds_what_the_page_shows(client, rt, other_rt, period, books):
    page = client.get(spending_page(rt.rw.kelurahan)).context["rts"]
    document = client.get(
        reverse("open-data-download", args=["budgets", "json"])
        + f"?kelurahan={rt.rw.kelurahan.code}"
    ).json()
    rows = {(row["rw"], row["rt"], row["year"]): row for row in document["rows"]}
    for shown in page:
        row = rows[(shown.rt.rw.number, shown.rt.number, period.year)]
        assert (row["ceiling"], row["approved"], row["realised"]) == (
            shown.ceiling,
            shown.approved,
            shown.realised,
        )
        assert row["approved"] == row["approved_fisik"] + row["approved_nonfisik"]
    city = client.get(reverse("open-data-download", args=["budgets", "json"])).json()["rows"]
    assert sorted(map(str, city)) == sorted(map(str, document["rows"]))  # no RT elsewhere


def test_the_budgets_table_costs_six_queries_a_year(client, rt, period, books, foreign_rt):
    with CaptureQueriesContext(connection) as one_year:
        client.get(reverse("open-data-download", args=["budgets", "csv"]))
    core.PeriodFactory(year=period.year - 1)
    with CaptureQueriesContext(connection) as two_years:
        content = client.get(reverse("open-data-download", args=["budgets", "csv"])).content
    assert len(two_years) == len(one_year) + 6
    assert content.decode().count("\n") == 1 + 2 * 3  # 3 RTs a year
