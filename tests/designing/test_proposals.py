"""Drafting, editing and submitting proposals: the services and the pages, with bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from designing import services
from designing.models import ProposalOrigin
from designing.origins import origins_for
from designing.services import BudgetLineData, ProposalData
from rtkeren.models import Activity, ActivityStatus, BudgetLine, Participation, Stage
from tests import factories as core
from tests.commissioning.factories import PotentialFactory

pytestmark = pytest.mark.django_db


def _data(**changes) -> ProposalData:
    values = {
        "title": "Kelas membatik remaja",
        "kind": Activity.Kind.TRAINING,
        "nature": Activity.Nature.NONFISIK,
        "bidang": Activity.Bidang.HUMAN_DEVELOPMENT,
        "funding_source": Activity.Funding.RT_KEREN,
        "expected_outputs": "20 lembar batik",
        "budget_lines": [BudgetLineData("Kain mori", 20, "lembar", 35_000)],
    }
    values.update(changes)
    return ProposalData(**values)


def _post_data(**changes) -> dict:
    data = {
        "title": "Kelas membatik remaja",
        "description": "Enam pertemuan.",
        "kind": "pelatihan",
        "nature": "nonfisik",
        "bidang": "pembangunan_manusia",
        "funding_source": "rt_keren",
        "target_participants": "20 remaja",
        "expected_outputs": "20 lembar batik",
        "budget-TOTAL_FORMS": "2",
        "budget-INITIAL_FORMS": "0",
        "budget-MIN_NUM_FORMS": "0",
        "budget-MAX_NUM_FORMS": "30",
        "budget-0-item": "Kain mori",
        "budget-0-quantity": "20",
        "budget-0-unit": "lembar",
        "budget-0-unit_price": "Rp35.000",
    }
    data.update(changes)
    return data


# Services.


def test_a_resident_drafts_a_proposal_with_budget_and_origin(resident_user, rt, period):
    potential = PotentialFactory(rt=rt, title="Perajin batik")
    (origin,) = origins_for([rt.rw.kelurahan_id])
    assert origin.label == "Potensi: Perajin batik"
    interest = core.InterestFactory(slug="membatik")

    activity = services.proposal_create(
        by=resident_user,
        place=rt,
        period=period,
        data=_data(interests=[interest], origins=[origin]),
    )

    assert activity.status == ActivityStatus.DRAFT
    assert activity.rt == rt
    assert activity.kelurahan_id == rt.rw.kelurahan_id
    assert activity.budget_total() == 700_000
    assert list(activity.interests.all()) == [interest]
    assert ProposalOrigin.objects.get(activity=activity).source == potential


def test_someone_of_another_rt_cannot_draft_for_this_rt(other_rt_chair, outsider, rt, period):
    for user in (other_rt_chair, outsider):
        with pytest.raises(PermissionDenied):
            services.proposal_create(by=user, place=rt, period=period, data=_data())
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (BudgetLineData("Kain", -5, "lembar", 1000), "jumlah"),
        (BudgetLineData("Kain", 0, "lembar", 1000), "jumlah"),
        (BudgetLineData("Kain", 1, "lembar", 0), "harga satuan"),
        (BudgetLineData("Kain", 1, "lembar", -35_000), "harga satuan"),
        (BudgetLineData("Kain", 1, "lembar", 1_000_000_001), "harga satuan"),
        (BudgetLineData("Kain", 2, "lembar", 30_000_000), "pagu"),
        (BudgetLineData("", 2, "lembar", 3000), "barang"),
    ],
)
def test_bad_budget_lines_change_nothing(draft, neighbour, line, message):
    version = services.version_of(draft)
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=draft,
            by=neighbour,
            version=version,
            data=_data(title="Judul baru", budget_lines=[line]),
        )
    assert message in " ".join(raised.value.messages).lower()
    draft.refresh_from_db()
    assert draft.title != "Judul baru"
    assert list(draft.budget_lines.values_list("unit_price", flat=True)) == [35_000]


def test_a_budget_above_the_ceiling_is_fine_from_another_funding_source(draft, neighbour):
    services.proposal_update(
        activity=draft,
        by=neighbour,
        version=services.version_of(draft),
        data=_data(
            funding_source=Activity.Funding.SWADAYA,
            budget_lines=[BudgetLineData("Tenda", 2, "unit", 30_000_000)],
        ),
    )
    assert draft.budget_lines.get().total == 60_000_000


@pytest.mark.parametrize("field", ["planned_start", "planned_end"])
def test_a_day_outside_the_budget_year_is_refused_on_its_field(draft, neighbour, field):
    after = draft.period.ends_on + datetime.timedelta(days=1)
    days = {"planned_start": draft.period.starts_on, "planned_end": None, field: after}
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=draft, by=neighbour, version=services.version_of(draft), data=_data(**days)
        )

    assert list(raised.value.message_dict) == [field]
    assert f"tahun anggaran {draft.period.year}" in raised.value.message_dict[field][0]
    draft.refresh_from_db()
    assert after not in (draft.planned_start, draft.planned_end)


def test_days_within_the_budget_year_are_kept(draft, neighbour):
    period = draft.period
    services.proposal_update(
        activity=draft,
        by=neighbour,
        version=services.version_of(draft),
        data=_data(planned_start=period.starts_on, planned_end=period.ends_on),
    )

    draft.refresh_from_db()
    assert (draft.planned_start, draft.planned_end) == (period.starts_on, period.ends_on)


def test_an_empty_title_changes_nothing(draft, neighbour):
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=draft,
            by=neighbour,
            version=services.version_of(draft),
            data=_data(title="   "),
        )
    assert "judul" in " ".join(raised.value.messages).lower()


def test_a_stale_form_is_refused(draft, neighbour):
    version = services.version_of(draft)
    services.proposal_update(activity=draft, by=neighbour, version=version, data=_data())
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=draft, by=neighbour, version=version, data=_data(title="Versi lama")
        )
    assert raised.value.code == "stale"
    draft.refresh_from_db()
    assert draft.title == "Kelas membatik remaja"


def test_a_submitted_or_frozen_proposal_cannot_be_edited(proposal, draft, neighbour):
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=proposal, by=neighbour, version=services.version_of(proposal), data=_data()
        )
    assert raised.value.code == "status"
    Activity.objects.filter(pk=draft.pk).update(content_frozen_at=draft.updated_at)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.proposal_update(
            activity=draft, by=neighbour, version=services.version_of(draft), data=_data()
        )
    assert raised.value.code == "frozen"


def test_only_the_author_edits_a_draft(draft, rt_chair, officer):
    for user in (rt_chair, officer):
        with pytest.raises(PermissionDenied):
            services.proposal_update(
                activity=draft, by=user, version=services.version_of(draft), data=_data()
            )


# Pages.


def test_the_form_creates_a_draft(client, resident_user, rt, period):
    client.force_login(resident_user)
    url = reverse("designing:proposal-create")
    assert client.get(url).status_code == 200

    response = client.post(url, _post_data(scope=f"rt:{rt.pk}", period=period.pk))

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("designing:proposal-detail", args=[activity.pk])
    assert activity.budget_lines.get().unit_price == 35_000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget-0-unit_price", "-35000", "lebih dari Rp0"),
        ("budget-0-unit_price", "0", "lebih dari Rp0"),
        ("budget-0-unit_price", "9000000000", "salah ketik"),
        ("budget-0-unit_price", "tiga puluh", "angka"),
        ("budget-0-quantity", "-2", "jumlah"),
        ("title", "   ", "judul"),
    ],
)
def test_bad_input_in_the_form_shows_a_message(
    client, resident_user, rt, period, field, value, message
):
    client.force_login(resident_user)
    response = client.post(
        reverse("designing:proposal-create"),
        _post_data(scope=f"rt:{rt.pk}", period=period.pk, **{field: value}),
    )
    assert response.status_code == 200
    assert message.lower() in response.content.decode().lower()
    assert not Activity.objects.exists()


def test_the_edit_form_refuses_a_stale_version(client, neighbour, draft):
    client.force_login(neighbour)
    url = reverse("designing:proposal-update", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    Activity.objects.filter(pk=draft.pk).update(title="Diubah di tab lain")
    Activity.objects.get(pk=draft.pk).save()

    response = client.post(
        url,
        _post_data(
            version=version,
            **{"budget-INITIAL_FORMS": "1"},
        ),
    )

    assert response.status_code == 200
    assert "diubah setelah Anda membuka formulir" in response.content.decode()
    assert Activity.objects.get(pk=draft.pk).title == "Diubah di tab lain"


def test_submitting_writes_the_ledger_and_withdrawing_returns_to_draft(client, neighbour, draft):
    client.force_login(neighbour)
    response = client.post(reverse("designing:proposal-status", args=[draft.pk, "proposed"]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ActivityStatus.PROPOSED
    assert Participation.objects.filter(
        resident=neighbour.resident, stage=Stage.DESIGNING, activity=draft
    ).exists()

    client.post(reverse("designing:proposal-status", args=[draft.pk, "draft"]))
    draft.refresh_from_db()
    assert draft.status == ActivityStatus.DRAFT


def test_an_unknown_status_in_the_url_is_404(client, neighbour, draft):
    client.force_login(neighbour)
    url = reverse("designing:proposal-status", args=[draft.pk, "approved"])
    assert client.post(url).status_code == 404


def test_someone_else_cannot_submit_the_draft(client, rt_chair, draft):
    client.force_login(rt_chair)
    response = client.post(reverse("designing:proposal-status", args=[draft.pk, "proposed"]))
    assert response.status_code == 403
    assert BudgetLine.objects.filter(activity=draft).exists()
    draft.refresh_from_db()
    assert draft.status == ActivityStatus.DRAFT
