import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Consent, DeletionRequest, Notification, Participation, Resident
from rtkeren.registry import participation_kinds
from rtkeren.services.ledger import participation_record
from rtkeren.services.notifications import notification_send
from rtkeren.services.privacy import consent_give, consent_withdraw, deletion_request_complete
from tests import factories
from tests.core.participation_support import take_part_in_everything

pytestmark = pytest.mark.django_db

DATA_SAYA = reverse("data-saya")


def _record(resident, count):
    """``count`` forums attended (the ledger keeps one row per subject: any record will do)."""
    for subject in factories.InterestFactory.create_batch(count):
        participation_record(resident=resident, kind="forum_attended", subject=subject)


# Data Saya: reading


def test_resident_sees_own_data_with_full_nik(client, resident_user, resident, outsider):
    resident.phone = "+6281234567890"
    resident.save()
    client.force_login(resident_user)

    response = client.get(DATA_SAYA)

    assert response.status_code == 200
    content = response.content.decode()
    assert resident.reveal_nik() in content
    assert resident.name in content
    assert "+6281234567890" in content
    assert outsider.resident.reveal_nik() not in content
    assert outsider.resident.name not in content
    assert "Data Saya" in content or "Data saya" in content


def test_anonymous_is_sent_to_login(client):
    response = client.get(DATA_SAYA)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_account_without_resident_entry_gets_404(client, officer):
    client.force_login(officer)
    assert client.get(DATA_SAYA).status_code == 404


def _count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DATA_SAYA)
    assert response.status_code == 200
    return len(queries)


def test_data_saya_query_count_is_flat(client, resident_user, resident, rt, period):
    client.force_login(resident_user)
    _record(resident, 1)
    notification_send(recipients=[resident_user], message="satu")
    consent_give(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident_user)
    one = _count_queries(client)

    _record(resident, 30)
    for number in range(10):
        notification_send(recipients=[resident_user], message=f"pesan {number}")
    consent_give(resident=resident, purpose=Consent.Purpose.PUBLIC_NAME, by=resident_user)
    consent_withdraw(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident_user)
    consent_give(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident_user)
    resident.interests.add(*factories.InterestFactory.create_batch(3))
    many = _count_queries(client)

    assert one == many


def test_data_saya_names_what_each_row_is_about_in_a_flat_number_of_queries(
    client, resident_user, resident, period
):
    """One query per kind of record named (potentials, forums, voting rounds, evaluation rounds),
    however many rows of each the page shows; a meeting's attendance is named by its activity,
    read with the row."""
    client.force_login(resident_user)
    names = take_part_in_everything(resident, period)
    one = _count_queries(client)
    page = client.get(DATA_SAYA).content.decode()
    for name in names:
        assert f">{name}</td>" in page

    names = take_part_in_everything(resident, period, number=6)
    many = _count_queries(client)
    page = client.get(DATA_SAYA).content.decode()
    for name in names[:25]:
        assert f">{name}</td>" in page

    assert one == many
    assert ">–</td>" not in page


def test_data_saya_lists_participation_and_paginates(client, resident_user, resident, rt, period):
    _record(resident, 26)
    client.force_login(resident_user)

    first = client.get(DATA_SAYA).content.decode()
    second = client.get(DATA_SAYA, {"page": 2}).content.decode()

    assert first.count(">Hadir di musyawarah</td>") == 25
    assert second.count(">Hadir di musyawarah</td>") == 1


# Consent


def test_consent_give_records_text_date_and_who(client, resident_user, resident):
    client.force_login(resident_user)

    response = client.post(reverse("consent-change"), {"purpose": "phone", "action": "give"})

    assert response.status_code == 302
    consent = Consent.objects.get(resident=resident, purpose="phone")
    assert consent.withdrawn_at is None
    assert consent.recorded_by == resident_user
    assert "nomor" in consent.text.lower()  # the Indonesian text shown at the time
    assert consent.given_at is not None


def test_officer_may_record_consent_on_behalf(officer, resident):
    consent = consent_give(resident=resident, purpose=Consent.Purpose.PHOTO, by=officer)
    assert consent.on_behalf


def test_withdrawing_religion_clears_it_on_the_resident_and_detail_page(
    client, resident_user, resident
):
    resident.religion = Resident.Religion.ISLAM
    resident.religion_consent_at = resident.created_at
    resident.save()
    consent_give(resident=resident, purpose=Consent.Purpose.RELIGION, by=resident_user)
    client.force_login(resident_user)
    detail = reverse("resident-detail", args=[resident.pk])
    assert "Islam" in client.get(detail).content.decode()

    client.post(reverse("consent-change"), {"purpose": "religion", "action": "withdraw"})

    resident.refresh_from_db()
    assert (resident.religion, resident.religion_consent_at) == ("", None)
    assert Consent.objects.get(resident=resident).withdrawn_at is not None
    assert "Islam" not in client.get(detail).content.decode()
    assert resident.history.first().history_user == resident_user


def test_withdrawing_phone_clears_it_even_without_consent_record(client, resident_user, resident):
    resident.phone = "+6281234567890"
    resident.save()
    client.force_login(resident_user)
    detail = reverse("resident-detail", args=[resident.pk])

    client.post(reverse("consent-change"), {"purpose": "phone", "action": "withdraw"})

    resident.refresh_from_db()
    assert resident.phone == ""
    assert "+6281234567890" not in client.get(detail).content.decode()


def test_withdraw_then_give_keeps_both_records(resident_user, resident):
    consent_give(resident=resident, purpose=Consent.Purpose.PUBLIC_NAME, by=resident_user)
    consent_withdraw(resident=resident, purpose=Consent.Purpose.PUBLIC_NAME, by=resident_user)
    consent_give(resident=resident, purpose=Consent.Purpose.PUBLIC_NAME, by=resident_user)

    consents = Consent.objects.filter(resident=resident, purpose="public_name")
    assert consents.count() == 2
    assert consents.in_force().count() == 1


def test_unknown_purpose_is_refused_in_indonesian(client, resident_user, resident):
    client.force_login(resident_user)
    response = client.post(
        reverse("consent-change"), {"purpose": "blood", "action": "give"}, follow=True
    )
    assert not Consent.objects.exists()
    assert "pilihan yang valid" in response.content.decode()


# Correction


def test_correction_request_reaches_the_rt_chair(
    client, resident_user, resident, rt_chair, other_rt_chair
):
    client.force_login(resident_user)

    response = client.post(reverse("correction-request"), {"text": "Alamat saya salah"})

    assert response.status_code == 302
    notification = Notification.objects.get(recipient=rt_chair)
    assert "Alamat saya salah" in notification.message
    assert notification.url == reverse("resident-detail", args=[resident.pk])
    assert not Notification.objects.filter(recipient=other_rt_chair).exists()


def test_empty_correction_is_refused(client, resident_user, resident, rt_chair):
    client.force_login(resident_user)
    client.post(reverse("correction-request"), {"text": ""})
    assert not Notification.objects.exists()


# Deletion


def test_deletion_request_completed_by_officer_anonymises(
    client, resident_user, resident, officer, rt, period
):
    resident.phone = "+6281234567890"
    resident.occupation = "Petani"
    resident.kk_number = "3572021234567890"
    resident.save()
    resident.interests.add(factories.InterestFactory())
    _record(resident, 2)
    old_name = resident.name
    old_digest, born = resident.nik_digest, resident.birth_date
    client.force_login(resident_user)
    client.post(reverse("deletion-request-create"), {"reason": "Pindah kota"})
    request = DeletionRequest.objects.get(resident=resident)
    assert Notification.objects.filter(recipient=officer).exists()

    client.force_login(officer)
    listing = client.get(reverse("deletion-request-list"))
    assert old_name in listing.content.decode()
    response = client.post(reverse("deletion-request-complete", args=[request.pk]))

    assert response.status_code == 302
    resident.refresh_from_db()
    request.refresh_from_db()
    resident_user.refresh_from_db()
    assert resident.name == f"Warga terhapus #{resident.pk}"
    assert (resident.address, resident.phone, resident.occupation, resident.kk_number) == (
        "",
        "",
        "",
        "",
    )
    assert (resident.nik_ciphertext, resident.nik_digest, resident.birth_date) == ("", "", None)
    assert resident.reveal_nik() == ""
    assert not resident.history.filter(nik_digest=old_digest).exists()
    assert not resident.history.filter(birth_date=born).exists()
    assert resident.history.count() > 1
    assert resident.user is None
    assert not resident.interests.exists()
    assert not resident_user.is_active
    assert Participation.objects.filter(resident=resident).count() == 2
    assert request.status == DeletionRequest.Status.COMPLETED
    assert request.completed_by == officer
    assert not resident.history.filter(name=old_name).exists()
    assert resident.history.first().history_user == officer


def test_second_open_deletion_request_is_refused(client, resident_user, resident):
    client.force_login(resident_user)
    client.post(reverse("deletion-request-create"), {"reason": ""})
    client.post(reverse("deletion-request-create"), {"reason": ""})
    assert DeletionRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "list_status", "complete_status"),
    [
        ("officer", 200, 302),
        ("foreign_officer", 200, 404),
        ("rt_chair", 403, 404),
        ("outsider", 403, 404),
        ("facilitator", 403, 404),
    ],
)
def test_who_may_complete_a_deletion_request(
    request, client, resident, persona, list_status, complete_status
):
    deletion = DeletionRequest.objects.create(resident=resident)
    user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(reverse("deletion-request-list")).status_code == list_status
    response = client.post(reverse("deletion-request-complete", args=[deletion.pk]))

    assert response.status_code == complete_status
    deletion.refresh_from_db()
    assert (deletion.status == "completed") is (persona == "officer")


def test_foreign_officer_list_does_not_show_the_request(client, resident, foreign_officer):
    DeletionRequest.objects.create(resident=resident)
    client.force_login(foreign_officer)
    assert resident.name not in client.get(reverse("deletion-request-list")).content.decode()


def test_anonymous_cannot_post(client, resident):
    deletion = DeletionRequest.objects.create(resident=resident)
    for url in (
        reverse("consent-change"),
        reverse("correction-request"),
        reverse("deletion-request-create"),
        reverse("deletion-request-complete", args=[deletion.pk]),
    ):
        assert client.post(url, {"purpose": "phone", "action": "give"}).status_code == 302
    assert not Consent.objects.exists()


def test_deletion_list_query_count_is_flat(client, officer, rt):
    client.force_login(officer)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("deletion-request-list")).status_code == 200
        return len(queries)

    DeletionRequest.objects.create(resident=factories.ResidentFactory(rt=rt))
    one = count()
    for resident in factories.ResidentFactory.create_batch(5, rt=rt):
        DeletionRequest.objects.create(resident=resident)
    assert count() == one


# Privacy notice


def test_privacy_notice_is_public_and_in_indonesian(client):
    response = client.get(reverse("privacy-notice"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "UU 27/2022" in content
    assert "Pemberitahuan Privasi" in content
    assert "kelurahan" in content.lower()
    assert reverse("privacy-notice") in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(("persona", "linked"), [("resident_user", True), ("officer", False)])
def test_privacy_notice_links_to_own_data_only_for_people_in_the_register(
    client, request, persona, linked
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(reverse("privacy-notice")).content.decode()
    assert (reverse("data-saya") in page) is linked
    if linked:
        assert client.get(reverse("data-saya")).status_code == 200


def test_only_an_officer_of_the_kelurahan_completes_a_deletion_in_the_service(
    resident, rt_chair, foreign_officer, officer
):
    request = DeletionRequest.objects.create(resident=resident, reason="Pindah kota")
    for someone in (rt_chair, foreign_officer):
        with pytest.raises(PermissionDenied):
            deletion_request_complete(request=request, by=someone)
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.OPEN

    deletion_request_complete(request=request, by=officer)
    request.refresh_from_db()
    assert request.status != DeletionRequest.Status.OPEN


def test_an_account_that_only_claims_an_entry_sees_nothing_of_it(client, rt):
    """Registration links a matching entry to the account at once; until the RT chair confirms
    it, the account may be someone else holding the resident's NIK, name and birth date."""
    claimant = factories.UserFactory()
    entry = factories.ResidentFactory(
        rt=rt, user=claimant, verification=Resident.Verification.VERIFIED
    )
    client.force_login(claimant)

    assert client.get(reverse("data-saya")).status_code == 404
    assert client.post(reverse("deletion-request-create"), {"reason": "x"}).status_code == 404
    assert reverse("data-saya") not in client.get(reverse("privacy-notice")).content.decode()
    assert reverse("data-saya") not in client.get(reverse("home")).content.decode()
    assert not DeletionRequest.objects.filter(resident=entry).exists()


def test_data_saya_names_every_kind_of_participation_in_words(
    client, resident_user, resident, rt, period
):
    kinds = sorted(participation_kinds)
    # Every stage names the kinds its services write.
    assert {"potential_recorded", "vote_cast", "attended", "evaluation_submitted"} <= set(kinds)
    for kind in kinds:
        participation_record(resident=resident, kind=kind, subject=rt)
    client.force_login(resident_user)

    page = client.get(DATA_SAYA).content.decode()

    assert "Memberikan suara dalam pemilihan" in page
    for kind in kinds:
        assert f">{kind}</td>" not in page
