"""A resident registers on a 360 px phone and lands in the RT chair's list."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from rtkeren.models import Kecamatan, Kelurahan, Kota, Resident
from tests import factories

BIRTH = datetime.date(1992, 8, 9)


def _kelurahan_blitar() -> Kelurahan:
    """Transactional tests empty the tables after each test, data migrations included, so the
    place is made here if an earlier test has flushed it."""
    kota, _ = Kota.objects.get_or_create(code="35.72", defaults={"name": "Kota Blitar"})
    kecamatan, _ = Kecamatan.objects.get_or_create(
        code="35.72.02", defaults={"name": "Sukorejo", "kota": kota}
    )
    kelurahan, _ = Kelurahan.objects.get_or_create(
        code=factories.BLITAR, defaults={"name": "Blitar", "kecamatan": kecamatan}
    )
    return kelurahan


@pytest.mark.usefixtures("transactional_db")
def test_a_resident_registers_on_a_phone(phone_page, live_server, screenshot):
    kelurahan = _kelurahan_blitar()
    rt = factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=7), number=2)
    chair = factories.make_user_with_role("rt_chair", "ketua_rt", rt=rt)
    page = phone_page

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Daftar", exact=True).click()
    page.get_by_label("Nama pengguna").fill("dewi.lestari")
    page.get_by_label("Nama lengkap sesuai KTP").fill("Dewi Lestari")
    page.get_by_label("NIK").fill(factories.make_nik(BIRTH, "P", 31))
    page.get_by_label("Tanggal lahir").fill(BIRTH.isoformat())
    page.get_by_label("Kelurahan").select_option(label="Blitar (Kecamatan Sukorejo)")
    page.get_by_label("Nomor RW").fill("7")
    page.get_by_label("Nomor RT").fill("2")
    page.get_by_label("Nomor HP (tidak wajib)").fill("0812-3456-7890")
    page.get_by_label(re.compile(r"^\s*Kata sandi")).fill("Kembang-Desa-88")
    page.get_by_label("Ulangi kata sandi").fill("Kembang-Desa-88")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "form")
    page.get_by_role("button", name="Daftar").click()

    page.wait_for_url(live_server.url + reverse("account-profile"))
    assert page.get_by_text(
        "Pendaftaran diterima. Ketua RT akan memverifikasi akun Anda."
    ).is_visible()
    assert page.get_by_text("menunggu verifikasi Ketua RT").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "registered")

    pending = Resident.objects.get(rt=rt, user__username="dewi.lestari")
    assert pending.verification == Resident.Verification.PENDING
    # The number waits for the chair, who sees it on the list.
    assert (pending.phone, pending.registration_phone) == ("", "+6281234567890")
    chairs_client = Client()
    chairs_client.force_login(chair)
    listing = chairs_client.get(reverse("verification-list"))
    assert list(listing.context["residents"]) == [pending]
    assert "Dewi Lestari" in listing.text
    assert "+6281234567890" in listing.text
