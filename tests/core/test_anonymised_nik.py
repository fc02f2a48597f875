"""An anonymised resident keeps neither the NIK (encrypted value and keyed hash) nor the birth
date, in the register or in its history."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from rtkeren.models import DeletionRequest, Resident
from rtkeren.services.privacy import deletion_request_complete, deletion_request_create
from rtkeren.services.residents import resident_update
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymising_forgets_the_nik_and_birth_date_in_the_history_too(
    resident_user, resident, officer
):
    digest, born = resident.nik_digest, resident.birth_date
    resident_update(by=officer, resident=resident, address="Jl. Melati 1")
    request = deletion_request_create(resident=resident, reason="", by=resident_user)

    deletion_request_complete(request=request, by=officer)

    resident.refresh_from_db()
    assert (resident.nik_ciphertext, resident.nik_digest, resident.birth_date) == ("", "", None)
    assert not resident.history.exclude(nik_digest="").exists()
    assert not resident.history.filter(birth_date=born).exists()
    assert not Resident.objects.filter(nik_digest=digest).exists()
    assert resident.age() is None
    assert not resident.is_adult()


def test_two_anonymised_verified_residents_may_both_hold_no_nik(rt, officer):
    for name in ("Satu", "Dua"):
        person = factories.ResidentFactory(rt=rt, name=name, user=factories.UserFactory())
        request = deletion_request_create(resident=person, reason="", by=person.user)
        deletion_request_complete(request=request, by=officer)

    assert Resident.objects.verified().filter(nik_digest="").count() == 2


def test_an_anonymised_resident_page_says_no_nik_is_recorded(
    client, officer, resident_user, resident
):
    request = deletion_request_create(resident=resident, reason="", by=resident_user)
    deletion_request_complete(request=request, by=officer)

    client.force_login(officer)
    page = client.get(reverse("resident-detail", args=[resident.pk])).content.decode()

    assert "NIK tidak tercatat" in page
    assert reverse("resident-nik-reveal", args=[resident.pk]) not in page


def test_the_data_migration_forgets_residents_anonymised_before_it(rt, officer, resident):
    kept = factories.ResidentFactory(rt=rt)
    Resident.objects.filter(pk=resident.pk).update(name="Warga terhapus")
    DeletionRequest.objects.create(resident=resident, status=DeletionRequest.Status.COMPLETED)
    migration = importlib.import_module("rtkeren.migrations.0016_forget_anonymised_niks")

    migration.forget_niks_and_birth_dates(apps, None)

    resident.refresh_from_db()
    kept.refresh_from_db()
    assert (resident.nik_ciphertext, resident.nik_digest, resident.birth_date) == ("", "", None)
    assert not resident.history.exclude(nik_digest="").exists()
    assert not resident.history.exclude(birth_date=None).exists()
    assert kept.has_nik
    assert kept.birth_date is not None
