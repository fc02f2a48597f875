"""Co-delivery in a real browser: a resident scans the meeting's QR code with a 360 px phone,
logs in and checks in."""

import datetime

import pytest
from django.utils import timezone

from delivery.models import Attendance
from delivery.services import KIND_ATTENDED, checkin_token
from rtkeren.models import ActivityStatus, Participation
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in, tick_on_the_second_page
from tests.delivery.factories import approved_activity, meeting_at

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_resident_checks_in_with_the_qr_code_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    activity = approved_activity(
        rt,
        period=factories.PeriodFactory(),
        status=ActivityStatus.IN_DELIVERY,
        title="Pelatihan membatik tulis",
    )
    meeting = meeting_at(
        activity, timezone.now() - datetime.timedelta(minutes=10), title="Mencanting"
    )
    user, resident = factories.make_resident_user(rt, "warga")
    url = f"{live_server.url}/pelaksanaan/pertemuan/{meeting.pk}/absen/{checkin_token(meeting)}/"
    page = phone_page

    page.goto(url)
    page.get_by_label("Nama pengguna atau nomor HP").fill("warga")
    page.get_by_label("Kata sandi").fill("rahasia-123")
    assert fits_phone(page)
    page.get_by_role("button", name="Masuk").click()

    page.get_by_role("heading", name="Absen pertemuan").wait_for()
    assert page.get_by_text("Mencanting").is_visible()
    assert fits_phone(page)
    screenshot(page, "before")
    page.get_by_role("button", name="Saya hadir").click()

    page.get_by_text("Terima kasih, Anda sudah tercatat dalam daftar hadir.").wait_for()
    assert page.get_by_text("Anda sudah tercatat dalam daftar hadir pertemuan ini.").is_visible()
    assert fits_phone(page)
    screenshot(page, "after")
    attendance = Attendance.objects.get(meeting=meeting)
    assert attendance.resident == resident
    assert attendance.method == Attendance.Method.SELF
    assert Participation.objects.filter(kind=KIND_ATTENDED, resident=resident).count() == 1


def test_a_resident_at_the_meeting_checks_in_from_its_page_on_a_phone(
    phone_page, live_server, screenshot
):
    """Without the QR code: the meeting page says when self check-in is open and, while it is,
    offers the resident a plain button."""
    rt = blitar_rt()
    activity = approved_activity(
        rt, period=factories.PeriodFactory(), status=ActivityStatus.IN_DELIVERY, title="Hadrah"
    )
    meeting = meeting_at(activity, timezone.now() - datetime.timedelta(minutes=10), title="Latihan")
    user, resident = factories.make_resident_user(rt, "warga")
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/pelaksanaan/pertemuan/{meeting.pk}/")
    assert page.get_by_text("Presensi mandiri dibuka 30 menit sebelum mulai").is_visible()
    assert page.get_by_text("Sekarang sedang dibuka.").is_visible()
    assert fits_phone(page)
    screenshot(page, "before")
    page.get_by_role("button", name="Saya hadir").click()

    page.get_by_text("Terima kasih, Anda sudah tercatat dalam daftar hadir.").wait_for()
    page.goto(f"{live_server.url}/pelaksanaan/pertemuan/{meeting.pk}/")
    assert page.get_by_text("Anda sudah tercatat dalam daftar hadir pertemuan ini.").is_visible()
    assert page.get_by_role("button", name="Saya hadir").count() == 0
    screenshot(page, "after")
    assert Attendance.objects.get(meeting=meeting).resident == resident


def test_meeting_ticks_on_two_pages_are_all_kept_on_a_phone(phone_page, live_server, screenshot):
    """The meeting's list pages its residents fifty at a time like the forum's: the ticks of
    the first page are saved on the way to the second, and both pages' ticks are kept."""
    rt = blitar_rt()
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    activity = approved_activity(
        rt, period=factories.PeriodFactory(), status=ActivityStatus.IN_DELIVERY
    )
    meeting = meeting_at(activity, timezone.now() - datetime.timedelta(hours=1))
    for number in range(1, 71):
        factories.ResidentFactory(rt=rt, name=f"Warga {number:02d}")
    page = phone_page
    log_in(page, live_server, officer)
    page.goto(f"{live_server.url}/pelaksanaan/pertemuan/{meeting.pk}/hadir/")

    page.get_by_label("Warga 01", exact=True).check()
    page.get_by_label("Warga 50", exact=True).check()
    assert page.locator("[data-ticked-count]").inner_text() == "2"
    assert fits_phone(page)
    screenshot(page, "first-page")
    tick_on_the_second_page(page, screenshot, "Warga 70")

    names = Attendance.objects.filter(meeting=meeting).values_list("resident__name", flat=True)
    assert set(names) == {"Warga 01", "Warga 50", "Warga 70"}
