"""The potentials register: recording, endorsing (once), merging, archiving, the list."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commissioning import services
from commissioning.models import Category, Endorsement, Potential
from rtkeren.models import Participation, Stage
from rtkeren.services.periods import period_start
from tests import factories as core

from .factories import EndorsementFactory, PotentialFactory, PriorityItemFactory, held_forum

pytestmark = pytest.mark.django_db


def _record(client, **data):
    fields = {
        "title": "Jaranan Turonggo Seto",
        "category": Category.CULTURE,
        "description": "Kelompok jaranan pemuda yang berlatih tiap Jumat malam.",
        **data,
    }
    return client.post(reverse("commissioning:potential-create"), fields)


def test_a_resident_records_a_potential_of_their_rt_and_takes_part(
    client, resident_user, rt, period
):
    tari = core.InterestFactory(slug="tari", name="Tari")
    client.force_login(resident_user)

    response = _record(client, place=f"rt:{rt.pk}", interests=[tari.pk])

    potential = Potential.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("commissioning:potential-detail", args=[potential.pk])
    assert (potential.rt, potential.kelurahan) == (rt, rt.rw.kelurahan)
    assert potential.author == resident_user
    assert potential.author_resident == resident_user.resident
    assert list(potential.interests.all()) == [tari]
    participation = Participation.objects.get()
    assert (participation.resident, participation.stage, participation.kind) == (
        resident_user.resident,
        Stage.COMMISSIONING,
        services.KIND_POTENTIAL_RECORDED,
    )
    assert participation.subject == potential
    assert participation.period == period


def test_a_potential_of_the_whole_kelurahan(client, resident_user, kelurahan, period):
    client.force_login(resident_user)

    _record(client, place=f"kelurahan:{kelurahan.pk}")

    potential = Potential.objects.get()
    assert potential.rt is None
    assert potential.kelurahan == kelurahan
    assert potential.place_name == "Kelurahan Blitar"


def test_an_officer_records_without_a_place_in_the_ledger(client, officer, rt, period):
    client.force_login(officer)

    _record(client, place=f"rt:{rt.pk}")

    assert Potential.objects.get().author_resident is None
    assert not Participation.objects.exists()


def test_without_any_budget_period_the_potential_is_recorded_and_counts_once_one_starts(
    client, resident_user, rt
):
    client.force_login(resident_user)

    response = _record(client, place=f"rt:{rt.pk}")

    potential = Potential.objects.get()
    assert response.status_code == 302
    participation = Participation.objects.get()
    assert participation.subject == potential
    assert participation.period is None

    today = timezone.localdate()
    period = period_start(
        year=today.year,
        starts_on=datetime.date(today.year, 1, 1),
        ends_on=datetime.date(today.year, 12, 31),
    )

    participation.refresh_from_db()
    assert participation.period == period


def test_in_the_gap_between_two_years_recording_and_endorsing_count_in_the_next_year(
    rt, resident_user, neighbour
):
    """The year that covers today was not created yet: the year before ended, the one after
    is already there."""
    year = timezone.localdate().year
    core.PeriodFactory(year=year - 1)
    next_year = core.PeriodFactory(year=year + 1)

    recorded = services.potential_record(
        by=neighbour,
        place=rt,
        title="Hadrah Al-Ikhlas",
        category=Category.RELIGIOUS,
        description="Grup hadrah remaja masjid.",
    )
    endorsement = services.potential_endorse(potential=recorded, by=resident_user)

    assert endorsement.pk
    rows = Participation.objects.order_by("kind")
    assert [(row.kind, row.resident, row.period) for row in rows] == [
        (services.KIND_POTENTIAL_ENDORSED, resident_user.resident, next_year),
        (services.KIND_POTENTIAL_RECORDED, neighbour.resident, next_year),
    ]


def test_the_form_offers_every_rt_of_the_kelurahan_with_the_residents_own_first(
    client, resident_user, rt, other_rt, foreign_rt
):
    client.force_login(resident_user)

    form = client.get(reverse("commissioning:potential-create")).context["form"]

    values = [value for value, _label in form.fields["place"].choices]
    assert f"rt:{rt.pk}" in values
    assert f"rt:{other_rt.pk}" in values
    assert f"rt:{foreign_rt.pk}" not in values
    assert form.initial["place"] == f"rt:{rt.pk}"


def test_endorsing_writes_the_ledger_and_withdrawing_takes_it_back(resident_user, potential):
    services.potential_endorse(potential=potential, by=resident_user)

    participation = Participation.objects.get(kind=services.KIND_POTENTIAL_ENDORSED)
    assert participation.resident == resident_user.resident
    assert participation.subject == potential

    assert services.potential_unendorse(potential=potential, by=resident_user) is True
    assert not potential.endorsements.exists()
    assert not Participation.objects.filter(kind=services.KIND_POTENTIAL_ENDORSED).exists()


def test_a_second_endorsement_is_refused_with_a_clear_message(resident_user, potential):
    services.potential_endorse(potential=potential, by=resident_user)

    with pytest.raises(ValidationError) as error:
        services.potential_endorse(potential=potential, by=resident_user)

    assert error.value.code == "endorsement_duplicate"
    assert error.value.messages == [
        "Anda sudah mendukung potensi ini. Setiap warga hanya dapat mendukung satu potensi "
        "satu kali."
    ]
    assert potential.endorsements.count() == 1
    assert Participation.objects.filter(kind=services.KIND_POTENTIAL_ENDORSED).count() == 1


def test_the_database_itself_refuses_a_second_endorsement(resident, potential):
    Endorsement.objects.create(potential=potential, resident=resident)

    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(potential=potential, resident=resident)


def test_a_second_endorsement_from_the_page_shows_the_message(client, resident_user, potential):
    client.force_login(resident_user)
    url = reverse("commissioning:potential-endorse", args=[potential.pk])
    client.post(url)

    response = client.post(url, follow=True)

    assert "Anda sudah mendukung potensi ini." in response.content.decode()
    assert potential.endorsements.count() == 1


def test_the_endorse_button_becomes_a_withdraw_button(client, resident_user, potential):
    client.force_login(resident_user)
    detail = reverse("commissioning:potential-detail", args=[potential.pk])
    assert "Saya mendukung" in client.get(detail).content.decode()

    client.post(reverse("commissioning:potential-endorse", args=[potential.pk]))

    page = client.get(detail).content.decode()
    assert "Tarik dukungan saya" in page
    assert "1 warga mendukung" in page


def test_the_author_does_not_endorse_their_own_potential(neighbour, potential):
    with pytest.raises(PermissionDenied):
        services.potential_endorse(potential=potential, by=neighbour)


# Merging.


@pytest.fixture
def duplicates(rt, period):
    """The kept potential: author K, endorsed by A and B. The duplicate: author D, endorsed by
    B (both), C (only the duplicate) and K (the kept one's author)."""
    people = {name: core.ResidentFactory(rt=rt, name=name) for name in "KABCD"}
    kept = PotentialFactory(rt=rt, author_resident=people["K"], title="Sanggar tari anak")
    duplicate = PotentialFactory(rt=rt, author_resident=people["D"], title="Tari anak-anak")
    for name in "AB":
        EndorsementFactory(potential=kept, resident=people[name])
    for name in "BCK":
        EndorsementFactory(potential=duplicate, resident=people[name])
    return kept, duplicate, people


def test_merging_moves_every_supporter_once(officer, duplicates):
    kept, duplicate, people = duplicates

    result = services.potential_merge(duplicate=duplicate, into=kept, by=officer)

    endorsers = sorted(kept.endorsements.values_list("resident__name", flat=True))
    assert endorsers == ["A", "B", "C", "D"]
    assert not duplicate.endorsements.exists()
    duplicate.refresh_from_db()
    assert duplicate.status == Potential.Status.MERGED
    assert duplicate.merged_into == kept
    assert (result.moved, result.already_there, result.author_added) == (1, 2, True)


def test_merging_points_priorities_to_the_kept_potential(officer, duplicates, rt):
    kept, duplicate, _people = duplicates
    item = PriorityItemFactory(forum=held_forum(rt=rt), potential=duplicate)

    services.potential_merge(duplicate=duplicate, into=kept, by=officer)

    item.refresh_from_db()
    assert item.potential == kept


def test_a_merge_is_all_or_nothing(officer, duplicates, monkeypatch):
    kept, duplicate, _people = duplicates

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Potential, "full_clean", broken)
    with pytest.raises(RuntimeError):
        services.potential_merge(duplicate=duplicate, into=kept, by=officer)

    assert kept.endorsements.count() == 2
    assert duplicate.endorsements.count() == 3
    duplicate.refresh_from_db()
    assert duplicate.status == Potential.Status.OPEN


def test_a_potential_is_not_merged_into_itself_elsewhere_or_twice(officer, duplicates, foreign_rt):
    kept, duplicate, _people = duplicates
    with pytest.raises(ValidationError) as error:
        services.potential_merge(duplicate=duplicate, into=duplicate, by=officer)
    assert error.value.code == "merge_self"
    with pytest.raises(ValidationError) as error:
        services.potential_merge(
            duplicate=duplicate, into=PotentialFactory(rt=foreign_rt), by=officer
        )
    assert error.value.code == "merge_target"

    stale = Potential.objects.get(pk=duplicate.pk)  # a page opened before the merge
    services.potential_merge(duplicate=duplicate, into=kept, by=officer)
    with pytest.raises(ValidationError) as error:
        services.potential_merge(duplicate=stale, into=kept, by=officer)
    assert error.value.code == "merge_closed"
    assert kept.endorsements.count() == 4


def test_merging_from_the_page(client, officer, duplicates):
    kept, duplicate, _people = duplicates
    client.force_login(officer)

    response = client.post(
        reverse("commissioning:potential-merge", args=[duplicate.pk]), {"into": kept.pk}
    )

    assert response.status_code == 302
    assert response.url == reverse("commissioning:potential-detail", args=[kept.pk])
    merged_page = client.get(reverse("commissioning:potential-detail", args=[duplicate.pk]))
    assert "Potensi ini tercatat dua kali." in merged_page.content.decode()


def test_archiving_takes_a_potential_off_the_list(client, officer, potential):
    client.force_login(officer)

    client.post(reverse("commissioning:potential-archive", args=[potential.pk]))

    potential.refresh_from_db()
    assert potential.status == Potential.Status.ARCHIVED
    listing = client.get(reverse("commissioning:potential-list"))
    assert list(listing.context["potentials"]) == []


def test_the_author_edits_the_text(client, neighbour, potential):
    client.force_login(neighbour)

    response = client.post(
        reverse("commissioning:potential-update", args=[potential.pk]),
        {"title": "Sanggar tari Sekar Arum", "category": Category.ARTS, "description": "Baru"},
    )

    assert response.status_code == 302
    potential.refresh_from_db()
    assert (potential.title, potential.description) == ("Sanggar tari Sekar Arum", "Baru")


# The list.


@pytest.fixture
def register(rt, other_rt, foreign_rt, period):
    """Potentials of both RTs and of the kelurahan, with 0 to 3 endorsements, one archived,
    and one in another kelurahan."""
    craft = PotentialFactory(rt=rt, title="Batik", category=Category.CRAFTS)
    food = PotentialFactory(rt=other_rt, title="Pecel", category=Category.CULINARY)
    wide = PotentialFactory(rt=None, title="Gamelan", category=Category.CULTURE)
    for _ in range(3):
        EndorsementFactory(potential=food)
    EndorsementFactory(potential=craft)
    PotentialFactory(rt=rt, title="Lama", status=Potential.Status.ARCHIVED)
    PotentialFactory(rt=foreign_rt, title="Pakunden")
    return craft, food, wide


def _titles(client, **query):
    response = client.get(reverse("commissioning:potential-list"), query)
    return [potential.title for potential in response.context["potentials"]]


def test_the_list_shows_open_potentials_of_the_kelurahan_newest_first(
    client, resident_user, register
):
    client.force_login(resident_user)

    assert _titles(client) == ["Gamelan", "Pecel", "Batik"]


def test_the_list_filters_and_sorts(client, resident_user, register, rt):
    client.force_login(resident_user)

    assert _titles(client, rt=rt.pk) == ["Batik"]
    assert _titles(client, category=Category.CULINARY) == ["Pecel"]
    assert _titles(client, endorsements=1) == ["Pecel", "Batik"]
    assert _titles(client, endorsements=3) == ["Pecel"]
    assert _titles(client, order="endorsed") == ["Pecel", "Batik", "Gamelan"]


def test_only_who_reads_several_kelurahan_is_offered_a_choice_of_them(
    client, resident_user, city_viewer, register, foreign_rt
):
    client.force_login(resident_user)
    form = client.get(reverse("commissioning:potential-list")).context["filter_form"]
    assert "kelurahan" not in form.fields
    assert _titles(client, kelurahan=foreign_rt.rw.kelurahan_id) == ["Gamelan", "Pecel", "Batik"]

    client.force_login(city_viewer)
    form = client.get(reverse("commissioning:potential-list")).context["filter_form"]
    assert "kelurahan" in form.fields
    assert _titles(client, kelurahan=foreign_rt.rw.kelurahan_id) == ["Pakunden"]


def test_a_wrong_filter_is_ignored_not_a_500(client, resident_user, register):
    client.force_login(resident_user)

    response = client.get(
        reverse("commissioning:potential-list"), {"rt": "abc", "endorsements": "9999"}
    )

    assert response.status_code == 200
    assert len(response.context["potentials"]) == 3


def test_a_kelurahan_given_as_a_superscript_digit_is_not_a_500(client, resident_user, register):
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:potential-list"), {"kelurahan": "²"})

    assert response.status_code == 200


def test_the_list_paginates_by_25(client, resident_user, rt, period):
    PotentialFactory.create_batch(27, rt=rt)
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:potential-list"))

    assert len(response.context["potentials"]) == 25
    assert response.context["paginator"].num_pages == 2


def test_a_merged_endorsement_withdrawn_later_leaves_no_ledger_row(
    resident_user, officer, potential
):
    kept = PotentialFactory(rt=potential.rt, title="Sanggar tari anak")
    services.potential_endorse(potential=potential, by=resident_user)
    services.potential_merge(duplicate=potential, into=kept, by=officer)

    endorsed = Participation.objects.filter(
        kind=services.KIND_POTENTIAL_ENDORSED, resident=resident_user.resident
    )
    assert endorsed.get().subject == kept
    assert services.potential_unendorse(potential=kept, by=resident_user) is True
    assert not endorsed.exists()


def test_a_merge_leaves_the_ledger_equal_to_its_recomputation(officer, duplicates, period):
    from rtkeren.services.ledger_sync import ledger_differences, ledger_repair

    kept, duplicate, _people = duplicates
    # The factories write records alone; the ledger starts from what they call for.
    ledger_repair()

    services.potential_merge(duplicate=duplicate, into=kept, by=officer)

    assert ledger_differences().lines() == []


@pytest.mark.parametrize(
    ("asked", "shown", "number"),
    [(None, 25, 1), ("2", 2, 2), ("abc", 25, 1), ("0", 25, 1), ("99", 2, 2), ("9" * 30, 2, 2)],
)
def test_the_list_is_read_a_page_at_a_time_with_its_length(
    client, resident_user, rt, period, asked, shown, number
):
    """A page's rows and the list's length come from one query; a page number out of range or
    not a number gives the first or the last page, never an error."""
    for index in range(27):
        PotentialFactory(rt=rt, title=f"Potensi {index:02}")
    client.force_login(resident_user)

    response = client.get(
        reverse("commissioning:potential-list"), {} if asked is None else {"page": asked}
    )

    assert response.status_code == 200
    page = response.context["page_obj"]
    assert (len(response.context["potentials"]), page.number) == (shown, number)
    assert (page.paginator.count, page.paginator.num_pages) == (27, 2)
    assert response.context["is_paginated"]


def test_the_list_rows_are_each_persons_own_and_follow_every_change(
    client, resident_user, potential, rt
):
    """The rows are rendered once for the same records (``{% include_by_value %}``): one
    person's endorsement must not show on another's list, and an endorsement, its withdrawal
    and an edit show on the next request."""
    other, _resident = core.make_resident_user(rt, "warga_lain")
    url = reverse("commissioning:potential-list")
    mine = 'ms-1">Saya mendukung</span>'

    def page(user):
        client.force_login(user)
        return client.get(url).content.decode()

    assert mine not in page(resident_user)
    services.potential_endorse(potential=potential, by=resident_user)
    assert mine in page(resident_user)
    assert "1 warga mendukung" in page(resident_user)
    assert mine not in page(other)
    assert "1 warga mendukung" in page(other)

    services.potential_unendorse(potential=potential, by=resident_user)
    Potential.objects.filter(pk=potential.pk).update(title="Sanggar karawitan")
    again = page(resident_user)
    assert mine not in again
    assert "0 warga mendukung" in again
    assert "Sanggar karawitan" in again
