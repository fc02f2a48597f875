"""Co-commissioning in a real browser: a resident records a potential on a 360 px phone, and an
RT chair ticks the attendance of a forum on theirs."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from commissioning.models import Attendance, Forum, Potential
from commissioning.services import KIND_FORUM_ATTENDED
from rtkeren.models import Participation, Role
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in, tick_on_the_second_page
from tests.commissioning.factories import ForumFactory, image_bytes

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_resident_records_a_potential_on_a_phone(phone_page, live_server, screenshot, tmp_path):
    rt = blitar_rt()
    factories.PeriodFactory()
    factories.InterestFactory(slug="tari", name="Tari")
    user, _resident = factories.make_resident_user(rt, "warga")
    photo = tmp_path / "sanggar.jpg"
    photo.write_bytes(image_bytes("JPEG", (2400, 1800)))
    page = phone_page
    log_in(page, live_server, user)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Perencanaan", exact=True).click()
    page.get_by_role("heading", name="Perencanaan di Kelurahan Blitar").wait_for()
    assert fits_phone(page)
    page.get_by_role("link", name="Catat potensi").first.click()
    page.get_by_label("Judul").fill("Sanggar tari anak di balai RT")
    page.get_by_label("Kategori").select_option(label="Seni")
    assert page.get_by_label("Lokasi").input_value() == f"rt:{rt.pk}"
    page.get_by_label("Uraian").fill("Anak-anak berlatih tari remo setiap Minggu sore.")
    page.get_by_label("Tari").check()
    page.get_by_label("Foto (tidak wajib)").set_input_files(str(photo))
    assert fits_phone(page)
    screenshot(page, "form")
    page.get_by_role("button", name="Simpan").click()

    page.get_by_text("Terima kasih, potensi sudah dicatat.").wait_for()
    assert page.get_by_role("heading", name="Sanggar tari anak di balai RT").is_visible()
    assert fits_phone(page)
    screenshot(page, "recorded")
    potential = Potential.objects.get()
    assert potential.author == user
    assert list(potential.interests.values_list("slug", flat=True)) == ["tari"]
    # The photo comes through the portal, which shows it to whoever may see the potential.
    photo_element = page.get_by_role("img", name="Foto: Sanggar tari anak di balai RT")
    assert photo_element.get_attribute("src") == reverse(
        "commissioning:potential-photo", args=[potential.pk]
    )
    photo_element.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth === 1600", arg=photo_element.element_handle()
    )
    with potential.photo.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (1600, 1200)


def test_an_rt_chair_ticks_forum_attendance_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    factories.PeriodFactory()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    residents = [
        factories.ResidentFactory(rt=rt, name=f"Warga {number:02d}", sex="P" if number % 2 else "L")
        for number in range(1, 41)
    ]
    forum = ForumFactory(
        rt=rt, organiser=chair, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = phone_page
    log_in(page, live_server, chair)

    page.goto(f"{live_server.url}/perencanaan/musyawarah/{forum.pk}/")
    page.get_by_role("link", name="Catat kehadiran").click()
    page.get_by_role("heading", name="Catat kehadiran").wait_for()
    assert page.get_by_role("checkbox").count() >= 41
    for resident in residents[:3]:
        page.get_by_label(resident.name, exact=True).check()
    page.get_by_label("Unsur yang diwakili Warga 02").select_option(label="Pemuda")
    page.get_by_label("Nama tamu").first.fill("Ust. Mahmud")
    page.get_by_label("Lembaga atau asal").first.fill("Masjid Al-Ikhlas")
    page.get_by_label("Mewakili").first.select_option(label="Tokoh agama")
    assert fits_phone(page)
    screenshot(page, "attendance")
    page.get_by_role("button", name="Simpan kehadiran").click()

    page.get_by_text("Kehadiran disimpan: 4 ditambahkan, 0 diubah, 0 dihapus.").wait_for()
    assert page.get_by_label("Warga 01", exact=True).is_checked()
    assert fits_phone(page)
    forum.refresh_from_db()
    assert forum.status == Forum.Status.HELD
    present = {a.name: a.element for a in Attendance.objects.filter(forum=forum)}
    assert present == {
        "Warga 01": "warga_umum",
        "Warga 02": "pemuda",
        "Warga 03": "warga_umum",
        "Ust. Mahmud": "tokoh_agama",
    }
    assert Participation.objects.filter(kind=KIND_FORUM_ATTENDED).count() == 3

    page.get_by_role("link", name="Kembali ke musyawarah").click()
    page.get_by_role("heading", name=forum.title).wait_for()
    assert page.get_by_text("Warga yang hadir").is_visible()
    screenshot(page, "forum")


def test_ticks_on_two_pages_of_attendance_are_all_kept_on_a_phone(
    phone_page, live_server, screenshot
):
    """Seventy residents, fifty a page: ticks on the first page are saved when the chair moves
    on, the page counts the ticks as they change, and leaving with unsaved ticks asks first."""
    rt = blitar_rt()
    factories.PeriodFactory()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    for number in range(1, 71):
        factories.ResidentFactory(rt=rt, name=f"Warga {number:02d}")
    forum = ForumFactory(
        rt=rt, organiser=chair, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = phone_page
    log_in(page, live_server, chair)
    page.goto(f"{live_server.url}/perencanaan/musyawarah/{forum.pk}/hadir/")

    page.get_by_label("Warga 01", exact=True).check()
    page.get_by_label("Warga 02", exact=True).check()
    assert page.locator("[data-ticked-count]").inner_text() == "2"
    assert page.get_by_text("Belum disimpan.").is_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Kembali ke musyawarah").click()
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    assert fits_phone(page)
    screenshot(page, "first-page")
    tick_on_the_second_page(page, screenshot, "Warga 70")
    names = set(Attendance.objects.filter(forum=forum).values_list("resident__name", flat=True))
    assert names == {"Warga 01", "Warga 02", "Warga 70"}
