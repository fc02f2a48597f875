"""The whole co-production journey in a real browser, against a live server with its own data.

Residents and the RT chair use 360x740 phones, the officer a desktop; each person has their own
browser context. Every state change is made through the pages, as the person would make it. Only
the fixed world is made with factories: the place, the period, the criteria, the officer and the
RT chair, one resident with an account and a few without. Where the story needs time to pass (a
voting round closing, a meeting taking place, the evaluation window ending) the test moves the
dates in the database between two steps, and says so.

Every page visited is screenshotted (test-artifacts/screenshots/<test name>/), saved as HTML
(test-artifacts/journey/html/ as the browser holds it, source/ as the server sent it), checked
with axe-core, checked for sideways scrolling on a phone, weighed on a first visit
(test-artifacts/journey/weights.txt), and at the end checked with the Nu HTML checker.
"""

import datetime
import re
import warnings

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Criterion, Evaluation, FollowUp, Side
from commissioning.models import Forum, Potential, PriorityItem
from delivery.models import Attendance, Meeting
from designing.models import Comment, Vote, VotingRound
from rtkeren.models import Activity, ActivityStatus, Participation, Resident, Role, Stage
from tests import factories
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import blitar_rt
from tests.browser.journey_support import (
    PASSWORD,
    WEIGHT_LIMIT,
    Journey,
    local_now,
    person,
)
from tests.html_check import describe, html_errors

pytestmark = pytest.mark.usefixtures("transactional_db")

BIRTH = datetime.date(1992, 8, 9)
CRITERIA = [
    ("manfaat", "Manfaat"),
    ("minat-bakat", "Kesesuaian dengan minat dan bakat"),
    ("kualitas-pelaksanaan", "Kualitas pelaksanaan"),
    ("luaran-produk", "Luaran/produk"),
    ("komunikasi-pengurus", "Komunikasi pengurus"),
]
POTENTIAL = "Perajin batik tulis di gang Melati"
PRIORITY = "Pelatihan membatik tulis untuk remaja"
PROPOSAL = "Pelatihan membatik tulis"
MEETING = "Mencanting motif kawung"
OUTPUT = "Kain batik tulis"


def _world():
    rt = blitar_rt()
    # The criteria's data migration does not survive a transactional test's flush.
    for order, (code, name) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    period = factories.PeriodFactory()
    factories.InterestFactory(slug="membatik", name="Membatik")
    officer = factories.UserFactory(username="petugas", first_name="Rina", last_name="Wulandari")
    factories.RoleAssignmentFactory(user=officer, role=Role.OFFICER, kelurahan=rt.rw.kelurahan)
    chair = person(rt, "ketua_rt", "Slamet Riyadi", "L", Role.RT_CHAIR)
    person(rt, "sari", "Sari Handayani", "P")
    for name, sex in [
        ("Agus Prasetyo", "L"),
        ("Wahyu Santoso", "L"),
        ("Endang Susilowati", "P"),
        ("Tri Rahayu", "P"),
    ]:
        factories.ResidentFactory(rt=rt, name=name, sex=sex)
    return rt, period, chair


def _log_in(journey, page, username, step):
    page.goto(journey.url("/"))
    page.get_by_role("link", name="Masuk", exact=True).click()
    page.get_by_label("Nama pengguna atau nomor HP").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    journey.record(page, f"{step}-login")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selamat datang")
    journey.record(page, f"{step}-home")


def _menu(page, name):
    page.get_by_role("navigation", name="Navigasi utama").get_by_role(
        "link", name=name, exact=True
    ).click()


def _message(page, text):
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


@pytest.fixture
def journey(browser, live_server, screenshot, request):
    journey = Journey(browser, live_server, screenshot, SCREENSHOTS / request.node.name)
    failures_before = request.session.testsfailed
    yield journey
    journey.close(failed=request.session.testsfailed > failures_before)


def test_the_whole_co_production_journey(journey):
    rt, period, chair = _world()
    dewi = journey.phone()
    chair_phone = journey.phone()
    sari = journey.phone()
    desk = journey.desktop()

    # Co-commissioning. A resident registers on her phone and the RT chair verifies her.
    dewi.goto(journey.url("/"))
    journey.record(dewi, "visitor-home")
    dewi.get_by_role("link", name="Daftar", exact=True).click()
    dewi.get_by_label("Nama pengguna").fill("dewi.lestari")
    dewi.get_by_label("Nama lengkap sesuai KTP").fill("Dewi Lestari")
    dewi.get_by_label("NIK").fill(factories.make_nik(BIRTH, "P", 31))
    dewi.get_by_label("Tanggal lahir").fill(BIRTH.isoformat())
    dewi.get_by_label("Kelurahan").select_option(label="Blitar (Kecamatan Sukorejo)")
    dewi.get_by_label("Nomor RW").fill("7")
    dewi.get_by_label("Nomor RT").fill("2")
    dewi.get_by_label(re.compile(r"^\s*Kata sandi")).fill("Kembang-Desa-88")
    dewi.get_by_label("Ulangi kata sandi").fill("Kembang-Desa-88")
    journey.record(dewi, "dewi-registers")
    dewi.get_by_role("button", name="Daftar").click()
    expect(dewi.get_by_text("menunggu verifikasi Ketua RT")).to_be_visible()
    journey.record(dewi, "dewi-registered")

    _log_in(journey, chair_phone, "ketua_rt", "chair")
    chair_phone.get_by_role("link", name=re.compile("Warga menunggu verifikasi")).click()
    registration = chair_phone.get_by_role("listitem").filter(has_text="Dewi Lestari")
    expect(registration).to_contain_text("dewi.lestari")
    journey.record(chair_phone, "chair-registrations")
    # The chair holds Dewi's KTP and types its NIK; the portal only says whether it matches.
    registration.get_by_label("NIK di KTP").fill(factories.make_nik(BIRTH, "P", 31))
    registration.get_by_role("button", name="Periksa NIK").click()
    expect(registration).to_contain_text("cocok dengan NIK yang didaftarkan")
    expect(chair_phone.get_by_role("heading", name="Periksa NIK di KTP")).to_have_count(0)
    registration.get_by_role("button", name="Verifikasi").click()
    _message(chair_phone, "Dewi Lestari sudah diverifikasi.")
    journey.record(chair_phone, "chair-verified")

    # Residents record and endorse potentials.
    _menu(dewi, "Perencanaan")
    expect(dewi.get_by_role("heading", name="Perencanaan di Kelurahan Blitar")).to_be_visible()
    journey.record(dewi, "dewi-planning")
    dewi.get_by_role("link", name="Catat potensi").first.click()
    dewi.get_by_label("Judul").fill(POTENTIAL)
    dewi.get_by_label("Kategori").select_option("kerajinan")
    dewi.get_by_label("Uraian").fill(
        "Tiga ibu di gang Melati membatik tulis di rumah dan mau mengajari anak muda."
    )
    dewi.get_by_label("Membatik", exact=True).check()
    journey.record(dewi, "dewi-potential-form")
    dewi.get_by_role("button", name="Simpan").click()
    _message(dewi, "Terima kasih, potensi sudah dicatat.")
    journey.record(dewi, "dewi-potential-recorded")

    _log_in(journey, sari, "sari", "sari")
    _menu(sari, "Perencanaan")
    sari.get_by_role("link", name=POTENTIAL).click()
    expect(sari.get_by_role("heading", name=POTENTIAL)).to_be_visible()
    journey.record(sari, "sari-potential")
    sari.get_by_role("button", name="Saya mendukung").click()
    _message(sari, "Terima kasih, Anda mendukung potensi ini.")
    expect(sari.get_by_text("1 warga mendukung")).to_be_visible()
    journey.record(sari, "sari-endorsed")
    # She looks where her notifications reach her: from the notifications list to the settings.
    sari.goto(journey.url("/notifikasi/"))
    sari.locator("main a[href='/notifikasi/pengaturan/']").click()
    expect(sari.locator("#pref-forum-bell")).to_be_checked()
    journey.record(sari, "sari-notification-settings")

    # The officer holds a forum: attendance, minutes and the priority list.
    _log_in(journey, desk, "petugas", "officer")
    _menu(desk, "Perencanaan")
    desk.get_by_role("link", name="Jadwalkan musyawarah").click()
    desk.get_by_label("Judul").fill("Musyawarah warga RT 002")
    desk.get_by_label("Musyawarah untuk").select_option(f"rt:{rt.pk}")
    desk.get_by_label(re.compile(r"^\s*Tanggal\b")).fill(timezone.localdate().isoformat())
    desk.get_by_label("Mulai pukul").fill("08:00")
    desk.get_by_label("Tempat").fill("Balai RT 002")
    desk.get_by_label("Acara").fill("Membahas potensi warga dan prioritas kegiatan RT Keren.")
    journey.record(desk, "officer-forum-form")
    desk.get_by_role("button", name="Simpan").click()
    _message(desk, "Musyawarah sudah dijadwalkan dan warga sudah diberi tahu.")
    journey.record(desk, "officer-forum")

    desk.get_by_role("link", name="Catat kehadiran").click()
    for name in ["Dewi Lestari", "Sari Handayani", "Slamet Riyadi", "Agus Prasetyo", "Tri Rahayu"]:
        desk.get_by_label(name, exact=True).check()
    desk.get_by_label("Unsur yang diwakili Slamet Riyadi").select_option("ketua_rt_rw")
    desk.get_by_label("Unsur yang diwakili Tri Rahayu").select_option("pkk")
    journey.record(desk, "officer-forum-attendance")
    desk.get_by_role("button", name="Simpan kehadiran").click()
    _message(desk, "Kehadiran disimpan: 5 ditambahkan, 0 diubah, 0 dihapus.")
    desk.get_by_role("link", name="Kembali ke musyawarah").click()
    desk.get_by_role("link", name="Berita acara dan keputusan").click()
    desk.get_by_label("Berita acara").fill(
        "Musyawarah dihadiri lima warga, ketua RT dan PKK. Warga membahas potensi membatik."
    )
    desk.get_by_label("Keputusan").fill("Pelatihan membatik tulis menjadi prioritas pertama.")
    journey.record(desk, "officer-forum-minutes")
    desk.get_by_role("button", name="Simpan").click()
    _message(desk, "Berita acara sudah disimpan.")
    desk.get_by_role("link", name="Daftar skala prioritas").click()
    first_row = desk.get_by_role("group", name="Baris 1")
    potential = first_row.get_by_label("Potensi")
    potential.select_option(label=potential.locator("option", has_text=POTENTIAL).inner_text())
    first_row.get_by_label("Prioritas").fill(PRIORITY)
    first_row.get_by_label("Catatan").fill("Untuk remaja RT 002, dengan para perajin gang Melati.")
    journey.record(desk, "officer-priorities-form")
    desk.get_by_role("button", name="Simpan daftar skala prioritas").click()
    _message(desk, "Daftar skala prioritas sudah disimpan.")
    expect(desk.locator(".priority-list")).to_contain_text(PRIORITY)
    journey.record(desk, "officer-forum-held")

    # Co-designing. The RT chair proposes from the priority.
    _menu(chair_phone, "Usulan")
    expect(chair_phone.get_by_role("heading", name="Usulan kegiatan")).to_be_visible()
    journey.record(chair_phone, "chair-proposals")
    chair_phone.get_by_role("link", name="Susun usulan").click()
    chair_phone.get_by_label("Judul").fill(PROPOSAL)
    chair_phone.get_by_label("Uraian", exact=True).first.fill(
        "Enam pertemuan mencanting dan mewarnai bersama perajin gang Melati."
    )
    chair_phone.get_by_label("Jenis kegiatan").select_option("pelatihan")
    chair_phone.get_by_label("Fisik atau nonfisik").select_option("nonfisik")
    chair_phone.get_by_label("Bidang").select_option("pembangunan_manusia")
    chair_phone.get_by_label(re.compile(f"Prioritas musyawarah 1: {PRIORITY}")).check()
    chair_phone.get_by_label("Membatik", exact=True).check()
    chair_phone.get_by_label("Sasaran peserta").fill("20 remaja RT 002")
    chair_phone.get_by_label("Luaran yang diharapkan").fill("20 lembar kain batik tulis")
    chair_phone.get_by_label("Sumber dana").select_option("rt_keren")
    chair_phone.locator("[name=budget-0-item]").fill("Kain mori")
    chair_phone.locator("[name=budget-0-quantity]").fill("20")
    chair_phone.locator("[name=budget-0-unit]").fill("lembar")
    chair_phone.locator("[name=budget-0-unit_price]").fill("35000")
    journey.record(chair_phone, "chair-proposal-form")
    chair_phone.get_by_role("button", name="Simpan draf").click()
    _message(chair_phone, "Draf tersimpan. Ajukan bila sudah siap.")
    chair_phone.get_by_role("button", name="Ajukan usulan").click()
    _message(chair_phone, "Usulan sudah diajukan. Warga kini dapat membahasnya.")
    journey.record(chair_phone, "chair-proposal-submitted")

    # Residents discuss and vote.
    _menu(sari, "Usulan")
    sari.get_by_role("link", name=PROPOSAL).click()
    sari.get_by_label("Komentar Anda").fill("Saya bisa membantu mengajar mencanting.")
    sari.get_by_role("button", name="Kirim komentar").click()
    expect(sari.get_by_text("Terima kasih, komentar Anda sudah terkirim.")).to_be_visible()
    journey.record(sari, "sari-commented")

    _menu(desk, "Usulan")
    desk.get_by_role("link", name="Pemilihan", exact=True).click()
    desk.get_by_role("link", name="Buka pemilihan usulan").click()
    now = local_now()
    desk.get_by_label("Siapa yang memilih").select_option(f"rt:{rt.pk}")
    desk.get_by_label("Judul").fill(f"Pemilihan usulan RT 002 {period.year}")
    desk.get_by_label("Dibuka pada").fill(f"{now - datetime.timedelta(minutes=5):%Y-%m-%dT%H:%M}")
    desk.get_by_label("Ditutup pada").fill(f"{now + datetime.timedelta(days=3):%Y-%m-%dT%H:%M}")
    desk.get_by_label("Jumlah suara per warga").fill("1")
    desk.get_by_label(re.compile(PROPOSAL)).check()
    journey.record(desk, "officer-round-form")
    desk.get_by_role("button", name="Buka pemilihan").click()
    _message(
        desk,
        "Pemilihan sudah dibuat dan warga sudah diberi tahu. Isi usulannya dikunci saat "
        "pemilihan dibuka.",
    )
    journey.record(desk, "officer-round")

    for page, who in [(dewi, "dewi"), (sari, "sari")]:
        page.goto(journey.url("/"))
        page.get_by_role("link", name=re.compile("Pemilihan yang terbuka untuk Anda")).click()
        page.get_by_role("link", name=f"Pemilihan usulan RT 002 {period.year}").click()
        page.get_by_role("button", name=f"Pilih “{PROPOSAL}”").click()
        expect(page.get_by_text("Sisa suara Anda: 0.")).to_be_visible()
        journey.record(page, f"{who}-voted")

    # Time passes, moved along in the database: the round closes.
    VotingRound.objects.update(closes_at=timezone.now() - datetime.timedelta(minutes=1))

    # The officer announces the result and approves.
    desk.reload()
    desk.get_by_role("button", name="Umumkan hasil kepada warga").click()
    _message(desk, "Hasil pemilihan sudah diumumkan kepada warga.")
    journey.record(desk, "officer-round-announced")
    desk.get_by_role("link", name=PROPOSAL).first.click()
    desk.get_by_label("Setujui").check()
    desk.get_by_label("Alasan (terbuka untuk umum)").fill(
        "Sesuai prioritas musyawarah dan dipilih warga."
    )
    journey.record(desk, "officer-review")
    desk.get_by_role("button", name="Simpan keputusan").click()
    _message(desk, "Usulan disetujui.")
    journey.record(desk, "officer-approved")

    # Co-delivery. The chair starts delivery, the officer plans a meeting and shows its QR code.
    _menu(chair_phone, "Pelaksanaan")
    chair_phone.get_by_role("link", name=PROPOSAL).click()
    chair_phone.get_by_role("button", name="Mulai pelaksanaan").click()
    _message(chair_phone, "Status kegiatan kini:")
    journey.record(chair_phone, "chair-delivery-started")

    _menu(desk, "Pelaksanaan")
    desk.get_by_role("link", name=PROPOSAL).click()
    desk.get_by_role("link", name="Jadwalkan pertemuan").click()
    starts = local_now()
    desk.get_by_label("Materi/topik").fill(MEETING)
    desk.get_by_label("Tanggal").fill(starts.date().isoformat())
    desk.get_by_label("Mulai pukul").fill(f"{starts:%H:%M}")
    desk.get_by_label("Tempat").fill("Rumah Bu Endang, gang Melati")
    desk.get_by_label("Pendamping atau pelatih").fill("Bu Endang")
    journey.record(desk, "officer-meeting-form")
    desk.get_by_role("button", name="Simpan").click()
    _message(desk, "Pertemuan sudah dijadwalkan dan pihak terkait sudah diberi tahu.")
    qr_section = desk.locator("section").filter(has_text="Kode QR untuk absen sendiri")
    qr_code = qr_section.get_by_role("img", name="Kode absen")
    expect(qr_code).to_be_visible()
    desk.wait_for_load_state("load")
    assert qr_code.evaluate("image => image.naturalWidth > 0"), "the QR code is not drawn"
    checkin_url = qr_section.get_by_role("link").get_attribute("href")
    journey.record(desk, "officer-meeting")

    # Residents check in with the code on their phones.
    for page, who in [(dewi, "dewi"), (sari, "sari")]:
        page.goto(checkin_url)
        expect(page.get_by_role("heading", name="Absen pertemuan")).to_be_visible()
        journey.record(page, f"{who}-checkin")
        page.get_by_role("button", name="Saya hadir").click()
        _message(page, "Terima kasih, Anda sudah tercatat dalam daftar hadir.")
        journey.record(page, f"{who}-checked-in")

    # The chair records the training's output.
    chair_phone.reload()
    chair_phone.get_by_role("link", name="Tambah rencana produk").click()
    chair_phone.get_by_label("Produk").fill(OUTPUT)
    chair_phone.get_by_label("Jumlah target").fill("20")
    chair_phone.get_by_label("Satuan").fill("lembar")
    journey.record(chair_phone, "chair-output-form")
    chair_phone.get_by_role("button", name="Simpan").click()
    chair_phone.get_by_role("link", name=OUTPUT).click()
    chair_phone.get_by_label("Jumlah yang sudah jadi").fill("12")
    chair_phone.get_by_label("Status").select_option("in_progress")
    chair_phone.get_by_label("Kendala, jika pekerjaan tersendat").select_option("materials")
    chair_phone.get_by_label("Keterangan hambatan").fill("Malam dan pewarna habis.")
    journey.record(chair_phone, "chair-output-progress")
    chair_phone.get_by_role("button", name="Simpan").click()
    expect(chair_phone.get_by_role("table")).to_contain_text("12 / 20 lembar")
    journey.record(chair_phone, "chair-output-recorded")

    # Time passes, moved along in the database: the meeting took place a day earlier.
    meeting = Meeting.objects.get()
    Meeting.objects.filter(pk=meeting.pk).update(date=meeting.date - datetime.timedelta(days=1))
    chair_phone.reload()
    chair_phone.get_by_role("button", name="Tandai selesai dilaksanakan").click()
    _message(chair_phone, "Status kegiatan kini:")
    journey.record(chair_phone, "chair-delivered")

    # Co-assessment. Residents evaluate on their phones, the officer from the government side.
    def evaluate(page, who, scores, obstacles, suggestions):
        page.get_by_role("link", name="Nilai kegiatan ini").click()
        for (_code, name), score in zip(CRITERIA, scores, strict=True):
            page.locator("fieldset", has_text=name).get_by_label(f"{score} –").check()
        page.get_by_label("Hambatan").fill(obstacles)
        page.get_by_label("Saran").fill(suggestions)
        journey.record(page, f"{who}-evaluation-form")
        page.get_by_role("button", name="Simpan penilaian").click()
        _message(page, "Terima kasih, penilaian Anda sudah disimpan.")
        journey.record(page, f"{who}-evaluated")

    dewi.goto(journey.url("/"))
    dewi.get_by_role("link", name="Kegiatan yang menunggu penilaian Anda").click()
    dewi.get_by_role("link", name=PROPOSAL).click()
    evaluate(
        dewi,
        "dewi",
        [5, 5, 4, 2, 3],
        "Malam dan pewarna habis, kain belum selesai diwarnai.",
        "Beli bahan sekaligus di awal pelatihan.",
    )
    _menu(sari, "Evaluasi")
    sari.get_by_role("link", name=PROPOSAL).click()
    evaluate(sari, "sari", [4, 5, 4, 3, 4], "", "Tambah satu pertemuan untuk mewarnai.")
    _menu(desk, "Evaluasi")
    desk.get_by_role("link", name=PROPOSAL).click()
    evaluate(desk, "officer", [4, 4, 4, 4, 4], "", "Laporan luaran tepat waktu.")
    expect(desk.get_by_role("table")).to_contain_text("Luaran/produk")

    # A follow-up: the officer turns Dewi's obstacle into one, the chair closes it.
    desk.get_by_role("link", name="Jadikan tindak lanjut").click()
    expect(desk.get_by_label("Hambatan")).to_have_value(re.compile("Malam dan pewarna habis"))
    desk.get_by_label("Tindakan").fill("Belanja malam dan pewarna untuk pertemuan tambahan.")
    desk.get_by_label("Penanggung jawab").select_option(str(chair.pk))
    due = timezone.localdate() + datetime.timedelta(days=14)
    desk.get_by_label("Tenggat").fill(due.isoformat())
    journey.record(desk, "officer-follow-up-form")
    desk.get_by_role("button", name="Simpan").click()
    _message(desk, "Tindak lanjut sudah dicatat dan penanggung jawabnya sudah diberi tahu.")
    journey.record(desk, "officer-follow-up")

    _menu(chair_phone, "Evaluasi")
    chair_phone.get_by_role("link", name="Tindak lanjut", exact=True).click()
    chair_phone.get_by_role("link", name=re.compile("Belanja malam dan pewarna")).click()
    chair_phone.get_by_label("Status").select_option("done")
    chair_phone.get_by_label("Penyelesaian").fill("Bahan sudah dibeli; sepuluh kain selesai.")
    journey.record(chair_phone, "chair-follow-up-form")
    chair_phone.get_by_role("button", name="Simpan").click()
    _message(chair_phone, "Tindak lanjut sudah diperbarui.")
    journey.record(chair_phone, "chair-follow-up-done")

    # Time passes, moved along in the database: the evaluation window closes. The officer then
    # marks the activity evaluated.
    Activity.objects.filter(title=PROPOSAL).update(
        status_changed_at=timezone.now()
        - datetime.timedelta(days=period.evaluation_window_days, minutes=1)
    )
    desk.get_by_role("link", name=re.compile(PROPOSAL)).first.click()
    desk.get_by_role("link", name="Tentang kegiatan").click()
    desk.get_by_role("button", name="Tandai sudah dievaluasi").click()
    _message(desk, "Status kegiatan kini:")
    journey.record(desk, "officer-marks-evaluated")

    # The scorecard shows all four stages.
    _menu(desk, "Evaluasi")
    desk.get_by_role("link", name="Skor", exact=True).click()
    expect(desk.get_by_role("heading", name="Skor ko-produksi: Kelurahan Blitar")).to_be_visible()
    journey.record(desk, "officer-scorecard-kelurahan")
    desk.get_by_role("link", name="Perbandingan antar-RT").click()
    desk.get_by_role("link", name=re.compile("RT 002")).first.click()
    expect(desk.get_by_role("heading", name="4 dari 4 tahap terpenuhi")).to_be_visible()
    journey.record(desk, "officer-scorecard-rt")

    _menu(dewi, "Evaluasi")
    dewi.get_by_role("link", name="Skor", exact=True).click()
    dewi.get_by_role("link", name=re.compile("RT 002")).first.click()
    expect(dewi.get_by_role("heading", name="4 dari 4 tahap terpenuhi")).to_be_visible()
    journey.record(dewi, "dewi-scorecard-rt")

    # What the pages did is in the database.
    activity = Activity.objects.get(title=PROPOSAL)
    assert activity.status == ActivityStatus.EVALUATED
    dewi_resident = Resident.objects.get(user__username="dewi.lestari")
    assert dewi_resident.verification == Resident.Verification.VERIFIED
    assert Potential.objects.get().endorsements.count() == 1
    assert dewi_resident.verified_by == chair
    assert Forum.objects.get().status == Forum.Status.HELD
    origin = activity.designing_origins.get()
    assert origin.source == PriorityItem.objects.get(forum__status=Forum.Status.HELD, rank=1)
    assert VotingRound.objects.get().results_announced_at is not None
    assert Comment.objects.get().activity == activity
    assert Vote.objects.filter(activity=activity).count() == 2
    assert set(Attendance.objects.values_list("method", flat=True)) == {Attendance.Method.SELF}
    assert Evaluation.objects.filter(activity=activity, side=Side.COMMUNITY).count() == 2
    assert Evaluation.objects.filter(activity=activity, side=Side.GOVERNMENT).count() == 1
    assert FollowUp.objects.get().status == FollowUp.Status.DONE
    for stage in Stage:
        assert Participation.objects.filter(stage=stage, resident=dewi_resident).exists(), stage

    # What every page showed.
    journey.write_weights()
    assert not journey.violations, "axe-core, serious or critical:\n" + "\n".join(
        journey.violations
    )
    assert not journey.too_wide, (
        "pages wider than a 360 px phone, or hiding part of a table behind a sideways scroll:\n"
        + "\n".join(journey.too_wide)
    )
    assert not journey.foreign_requests, journey.foreign_requests
    heavy = [weight.line() for weight in journey.weights if weight.total >= WEIGHT_LIMIT]
    assert not heavy, "pages of 200 KB or more on a first visit:\n" + "\n".join(heavy)
    assert len(journey.weights) >= 30
    try:
        errors = html_errors(journey.documents)
    except pytest.skip.Exception as reason:
        # Everything else has been checked; a missing checker must not hide that as a skip.
        warnings.warn(f"The journey's HTML was not checked: {reason}", stacklevel=1)
    else:
        assert not errors, "invalid HTML:\n" + describe(errors)
