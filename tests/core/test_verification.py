"""The RT chair (or an officer of the kelurahan) verifies or rejects registrations; no one else."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Notification, Resident, Role, RoleAssignment
from rtkeren.services import accounts as services
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Kembang-Desa-88"


def register(rt, username="siti.aminah", name="Siti Aminah", born=None, serial=12):
    born = born or datetime.date(1990, 5, 17)
    user = services.registration_submit(
        username=username,
        name=name,
        nik=factories.make_nik(born, "P", serial),
        birth_date=born,
        rt=rt,
        password=PASSWORD,
    )
    return Resident.objects.get(user=user)


def has_resident_role(user, rt) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.RESIDENT, rt=rt).exists()


# Who may open the list.


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("verification-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "persona",
    ["resident_user", "facilitator", "rw_chair", "pokmas_member", "community_lead", "city_viewer"],
)
def test_people_who_decide_no_registration_may_not_open_the_list(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("verification-list")).status_code == 403


def test_the_chair_sees_the_pending_residents_of_their_rt_only(client, rt, other_rt, rt_chair):
    mine = register(rt)
    theirs = register(other_rt, username="budi", name="Budi Santoso", serial=13)
    client.force_login(rt_chair)

    response = client.get(reverse("verification-list"))

    assert list(response.context["residents"]) == [mine]
    assert theirs.name not in response.text
    assert "NIK tercatat" in response.text
    assert mine.reveal_nik()[12:] not in response.text
    assert mine.reveal_nik() not in response.text


def test_the_officer_sees_their_kelurahan_but_not_another(
    client, rt, other_rt, foreign_rt, officer
):
    mine = register(rt)
    also_mine = register(other_rt, username="budi", name="Budi Santoso", serial=13)
    register(foreign_rt, username="wati", name="Wati", serial=14)
    client.force_login(officer)

    response = client.get(reverse("verification-list"))

    assert set(response.context["residents"]) == {mine, also_mine}


def test_claimed_entries_wait_until_confirmed_and_verified_accounts_do_not(
    client, rt, rt_chair, resident
):
    entry = factories.ResidentFactory(
        rt=rt, name="Siti Aminah", birth_date=datetime.date(1990, 5, 17), sex="P",
        nik=factories.make_nik(datetime.date(1990, 5, 17), "P", 12),
    )  # fmt: skip
    register(rt)
    client.force_login(rt_chair)

    residents = list(client.get(reverse("verification-list")).context["residents"])

    assert residents == [entry]
    assert resident not in residents


def test_the_list_is_paginated(client, rt, rt_chair):
    for number in range(26):
        born = datetime.date(1980, 1, 1) + datetime.timedelta(days=number)
        register(rt, username=f"warga{number}", name=f"Warga {number}", born=born)
    client.force_login(rt_chair)

    first = client.get(reverse("verification-list"))
    second = client.get(reverse("verification-list"), {"page": 2})

    assert len(first.context["residents"]) == 25
    assert len(second.context["residents"]) == 1


def test_the_list_costs_the_same_queries_for_one_or_many(client, rt, rt_chair):
    register(rt)
    client.force_login(rt_chair)
    client.get(reverse("verification-list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("verification-list"))
    for number in range(6):
        born = datetime.date(1980, 1, 1) + datetime.timedelta(days=number)
        register(rt, username=f"warga{number}", name=f"Warga {number}", born=born)
    factories.ResidentFactory(rt=rt, user=factories.UserFactory())  # a claim waiting too

    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("verification-list"))

    assert len(response.context["residents"]) == 8
    assert len(many) == len(one)


# Verifying.


def test_the_chair_verifies_and_the_resident_is_told(
    client, rt, rt_chair, django_capture_on_commit_callbacks
):
    pending = register(rt)
    client.force_login(rt_chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verification-verify", args=[pending.pk]), follow=True)

    assert "Siti Aminah sudah diverifikasi." in response.text
    pending.refresh_from_db()
    assert pending.verification == Resident.Verification.VERIFIED
    assert pending.verified_by == rt_chair
    assert pending.verified_at is not None
    assert has_resident_role(pending.user, rt)
    notification = Notification.objects.get(recipient=pending.user)
    assert notification.message.startswith("Akun Anda sudah diverifikasi.")


def test_verifying_a_claim_confirms_the_account_and_keeps_the_register(
    client, rt, officer, django_capture_on_commit_callbacks
):
    born = datetime.date(1990, 5, 17)
    entry = factories.ResidentFactory(
        rt=rt, name="Siti Aminah", birth_date=born, sex="P", nik=factories.make_nik(born, "P", 12)
    )
    register(rt)
    entry.refresh_from_db()
    verified_at = entry.verified_at
    client.force_login(officer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("verification-verify", args=[entry.pk]))

    entry.refresh_from_db()
    assert entry.verified_at == verified_at
    assert has_resident_role(entry.user, rt)
    assert Notification.objects.filter(recipient=entry.user).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("other_rt_chair", 404),
        ("foreign_officer", 404),
        ("facilitator", 404),
        ("rw_chair", 404),
        ("resident_user", 404),
        ("admin_user", 404),
    ],
)
def test_no_one_else_may_verify_or_reject(client, request, rt, persona, status):
    pending = register(rt)
    client.force_login(request.getfixturevalue(persona))

    verify = client.post(reverse("verification-verify", args=[pending.pk]))
    reject_page = client.get(reverse("verification-reject", args=[pending.pk]))
    reject = client.post(reverse("verification-reject", args=[pending.pk]), {"reason": "Bukan"})

    assert (verify.status_code, reject_page.status_code, reject.status_code) == (status,) * 3
    pending.refresh_from_db()
    assert pending.verification == Resident.Verification.PENDING
    assert pending.user is not None


def test_visitors_cannot_verify(client, rt):
    pending = register(rt)

    response = client.post(reverse("verification-verify", args=[pending.pk]))

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verification == Resident.Verification.PENDING


def test_verify_is_post_only(client, rt, rt_chair):
    pending = register(rt)
    client.force_login(rt_chair)

    assert client.get(reverse("verification-verify", args=[pending.pk])).status_code == 405


def test_the_service_itself_refuses_the_wrong_chair(rt, other_rt_chair):
    pending = register(rt)

    with pytest.raises(PermissionDenied):
        services.resident_verify(resident=pending, by=other_rt_chair)
    with pytest.raises(PermissionDenied):
        services.resident_reject(resident=pending, by=other_rt_chair, reason="Bukan warga")


def test_a_decided_registration_cannot_be_decided_again(client, rt, rt_chair):
    pending = register(rt)
    services.resident_verify(resident=pending, by=rt_chair)

    with pytest.raises(ValidationError, match="sudah diputuskan"):
        services.resident_verify(resident=pending, by=rt_chair)
    client.force_login(rt_chair)
    assert client.post(reverse("verification-verify", args=[pending.pk])).status_code == 404


def test_a_nik_held_by_a_verified_resident_is_flagged_and_cannot_be_verified(client, rt, rt_chair):
    born = datetime.date(1990, 5, 17)
    holder = factories.ResidentFactory(
        rt=rt, name="Siti Aminah", birth_date=born, sex="P", nik=factories.make_nik(born, "P", 12)
    )
    twin = register(rt, name="Siti Amina")  # the name differs, so no claim
    client.force_login(rt_chair)

    listing = client.get(reverse("verification-list"))
    response = client.post(reverse("verification-verify", args=[twin.pk]), follow=True)

    assert "NIK ini sudah terdaftar atas warga lain" in listing.text
    assert "NIK ini sudah terdaftar atas warga lain" in response.text
    twin.refresh_from_db()
    assert twin.verification == Resident.Verification.PENDING
    assert not has_resident_role(twin.user, rt)
    holder.refresh_from_db()
    assert holder.user is None


def test_an_ordinary_pending_resident_has_no_warning(client, rt, rt_chair):
    register(rt)
    client.force_login(rt_chair)

    assert "NIK ini sudah terdaftar" not in client.get(reverse("verification-list")).text


# Rejecting.


def test_the_chair_rejects_with_a_reason_and_the_person_is_told(
    client, rt, rt_chair, django_capture_on_commit_callbacks
):
    pending = register(rt)
    user = pending.user
    client.force_login(rt_chair)

    page = client.get(reverse("verification-reject", args=[pending.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("verification-reject", args=[pending.pk]),
            {"reason": "Tidak tinggal di RT ini."},
            follow=True,
        )

    assert page.status_code == 200
    assert "Pendaftaran Siti Aminah sudah ditolak." in response.text
    pending.refresh_from_db()
    assert pending.verification == Resident.Verification.REJECTED
    assert pending.rejection_reason == "Tidak tinggal di RT ini."
    assert pending.user is None
    assert not has_resident_role(user, rt)
    message = Notification.objects.get(recipient=user).message
    assert (
        message == "Pendaftaran Anda tidak diterima oleh Ketua RT. Alasan: Tidak tinggal di RT ini."
    )


def test_a_reason_is_required(client, rt, rt_chair):
    pending = register(rt)
    client.force_login(rt_chair)

    response = client.post(reverse("verification-reject", args=[pending.pk]), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    pending.refresh_from_db()
    assert pending.verification == Resident.Verification.PENDING


def test_rejecting_a_claim_frees_the_register_entry(rt, rt_chair):
    born = datetime.date(1990, 5, 17)
    entry = factories.ResidentFactory(
        rt=rt, name="Siti Aminah", birth_date=born, sex="P", nik=factories.make_nik(born, "P", 12)
    )
    register(rt)

    services.resident_reject(resident=entry, by=rt_chair, reason="Bukan orangnya.")

    entry.refresh_from_db()
    assert entry.user is None
    assert entry.is_verified
    assert entry.rejection_reason == ""


@pytest.mark.usefixtures("no_prepared_shapes")
def test_the_list_is_read_prepared_and_a_page_carries_its_length(
    client, rt, other_rt, rt_chair, officer
):
    """Built and compiled once per shape (``rtkeren.prepared``; the tests compare each run's
    SQL with Django's): the chair's and the officer's lists, a page and the list's length in
    one query."""
    from rtkeren.selectors.accounts import _awaiting_verification
    from tests.prepared_support import all_prepared

    mine = register(rt)
    other = register(other_rt, username="budi", name="Budi Santoso", serial=13)
    shown = {}
    for reader in (rt_chair, officer):
        client.force_login(reader)
        response = client.get(reverse("verification-list"))
        shown[reader.username] = (
            {resident.pk for resident in response.context["residents"]},
            response.context["paginator"].count,
        )

    assert shown == {rt_chair.username: ({mine.pk}, 1), officer.username: ({mine.pk, other.pk}, 2)}
    assert all_prepared(_awaiting_verification)
