import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rtkeren.models import NikReveal, Resident
from rtkeren.nik import nik_digest
from rtkeren.services.residents import nik_reveal, resident_create, resident_save, resident_update
from tests import factories

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 8, 17)
NIK_MALE = "3572021708900001"
NIK_FEMALE = "3572025708900001"


def create(rt, officer, **overrides):
    fields = {
        "by": officer,
        "name": "Budi Santoso",
        "nik": NIK_MALE,
        "birth_date": BORN,
        "sex": "L",
        "rt": rt,
    }
    fields.update(overrides)
    return resident_create(**fields)


def errors_of(caught) -> dict:
    return caught.value.message_dict


def test_create_stores_the_nik_encrypted_hashed_and_masked(rt, officer):
    resident = create(rt, officer, nik="3572 0217.0890 0001", phone="0812-3456-7890")

    resident.refresh_from_db()
    assert NIK_MALE not in resident.nik_ciphertext
    assert resident.reveal_nik() == NIK_MALE
    assert Resident.objects.with_nik(NIK_MALE).get() == resident
    assert resident.has_nik
    assert resident.phone == "+6281234567890"
    assert resident.verification == Resident.Verification.PENDING
    assert resident.history.get().history_user == officer


def test_create_verified_records_who_verified(rt, officer):
    resident = create(rt, officer, verification=Resident.Verification.VERIFIED)

    assert resident.verified_by == officer
    assert resident.verified_at is not None


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("357202170890000", "NIK harus terdiri dari tepat 16 angka."),
        ("3572021708900000", None),
        ("0072021708900001", None),
    ],
)
def test_invalid_nik_creates_nothing(rt, officer, nik, message):
    with pytest.raises(ValidationError) as caught:
        create(rt, officer, nik=nik)

    assert list(errors_of(caught)) == ["nik"]
    if message:
        assert errors_of(caught)["nik"] == [message]
    assert not Resident.objects.exists()


def test_birth_date_must_agree_with_the_nik(rt, officer):
    with pytest.raises(ValidationError) as caught:
        create(rt, officer, birth_date=datetime.date(1990, 8, 18))

    assert list(errors_of(caught)) == ["birth_date"]
    assert "17 Agustus 1990" in errors_of(caught)["birth_date"][0]
    assert "tidak sesuai dengan NIK" in errors_of(caught)["birth_date"][0]
    assert not Resident.objects.exists()


def test_sex_must_agree_with_the_nik(rt, officer):
    with pytest.raises(ValidationError) as caught:
        create(rt, officer, nik=NIK_FEMALE, sex="L")

    assert list(errors_of(caught)) == ["sex"]
    assert "Perempuan" in errors_of(caught)["sex"][0]
    assert not Resident.objects.exists()


def test_a_century_old_resident_keeps_the_two_digit_year(rt, officer):
    """The NIK of someone born in 1925 says '25', which today reads as 2025."""
    resident = create(rt, officer, nik="3572021708250001", birth_date=datetime.date(1925, 8, 17))

    assert resident.birth_date.year == 1925


def test_invalid_phone_is_refused_in_indonesian(rt, officer):
    with pytest.raises(ValidationError) as caught:
        create(rt, officer, phone="12345")

    assert list(errors_of(caught)) == ["phone"]
    assert "nomor telepon" in errors_of(caught)["phone"][0].lower()
    assert not Resident.objects.exists()


def test_duplicate_verified_nik_is_refused(rt, other_rt, officer):
    factories.ResidentFactory(rt=rt, nik=NIK_MALE, birth_date=BORN, sex="L")

    for verification in Resident.Verification.VERIFIED, Resident.Verification.PENDING:
        with pytest.raises(ValidationError) as caught:
            create(
                rt=other_rt, officer=officer, nik="3572-0217-0890-0001", verification=verification
            )
        assert list(errors_of(caught)) == ["nik"]
        assert "sudah terdaftar" in errors_of(caught)["nik"][0]
    assert Resident.objects.count() == 1


def test_pending_entries_may_share_a_nik_until_one_is_verified(rt, officer, rt_chair):
    first = create(rt, officer)
    second = create(rt, officer, name="Budi S.")

    resident_update(by=rt_chair, resident=first, address="Jl. Mawar 1")
    first.verification = Resident.Verification.VERIFIED
    resident_save(by=rt_chair, resident=first)
    second.verification = Resident.Verification.VERIFIED
    with pytest.raises(ValidationError) as caught:
        resident_save(by=rt_chair, resident=second)

    assert list(errors_of(caught)) == ["nik"]
    assert Resident.objects.verified().with_nik(NIK_MALE).get() == first


def test_update_records_history_with_the_author(rt, officer, rt_chair):
    resident = create(rt, officer, address="Jl. Lama 1")

    resident_update(by=rt_chair, resident=resident, address="Jl. Baru 2", phone="+62 812 3456 7890")

    latest = resident.history.first()
    assert latest.history_user == rt_chair
    assert latest.address == "Jl. Baru 2"
    assert latest.phone == "+6281234567890"
    assert latest.prev_record.address == "Jl. Lama 1"


def test_update_checks_a_new_birth_date_against_the_stored_nik(rt, officer):
    resident = create(rt, officer)

    with pytest.raises(ValidationError) as caught:
        resident_update(by=officer, resident=resident, birth_date=datetime.date(1991, 8, 17))

    assert list(errors_of(caught)) == ["birth_date"]
    resident.refresh_from_db()
    assert resident.birth_date == BORN


def test_update_replaces_the_nik(rt, officer):
    resident = create(rt, officer)

    resident_update(by=officer, resident=resident, nik="3572025708900002", sex="P")

    resident.refresh_from_db()
    assert resident.reveal_nik() == "3572025708900002"
    assert resident.nik_digest == nik_digest("3572025708900002")
    assert resident.sex == "P"
    assert not Resident.objects.with_nik(NIK_MALE).exists()


def test_update_refuses_fields_outside_the_register_data(rt, officer):
    resident = create(rt, officer)

    with pytest.raises(TypeError):
        resident_update(by=officer, resident=resident, verification="verified")


def test_religion_needs_consent(rt, officer):
    with pytest.raises(ValidationError) as caught:
        create(rt, officer, religion=Resident.Religion.ISLAM)
    assert list(errors_of(caught)) == ["religion"]
    assert "persetujuan" in errors_of(caught)["religion"][0]

    resident = create(rt, officer, religion=Resident.Religion.ISLAM, religion_consent=True)
    assert resident.religion_consent_at is not None

    resident_update(by=officer, resident=resident, religion="")
    resident.refresh_from_db()
    assert resident.religion_consent_at is None


def test_officer_reveals_the_nik_and_it_is_audited(resident, officer):
    nik = nik_reveal(officer=officer, resident=resident, reason="Pengecekan data bansos")

    assert nik == resident.reveal_nik()
    reveal = NikReveal.objects.get()
    assert (reveal.officer, reveal.resident, reveal.reason) == (
        officer,
        resident,
        "Pengecekan data bansos",
    )


@pytest.mark.parametrize(
    "persona", ["foreign_officer", "admin_user", "rt_chair", "facilitator", "city_viewer"]
)
def test_only_the_kelurahan_officer_reveals(request, resident, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        nik_reveal(officer=user, resident=resident)

    assert not NikReveal.objects.exists()
