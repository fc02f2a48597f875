"""On a 360 px phone: a resident opens "Unduh data saya" from Data Saya, reads their data with
the NIK hidden until asked for, and downloads it as a JSON file."""

import json
from pathlib import Path

import pytest

from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in
from tests.core.participation_support import take_part_in_everything
from tests.designing.factories import CommentFactory, proposal

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_resident_takes_their_data_away_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    user, resident = factories.make_resident_user(rt, "warga")
    user.email = "sari.wulandari.kelurahan.blitar@example.id"
    user.save()
    take_part_in_everything(resident, period)
    CommentFactory(
        activity=proposal(rt=rt, period=period, title="Pelatihan membatik tulis"),
        author=user,
        resident=resident,
        body="Usul yang bagus, saya ingin ikut kelas sore hari setelah bekerja di pasar Legi.",
    )
    nik = resident.reveal_nik()
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/data-saya/")
    page.get_by_role("link", name="Unduh data saya").click()

    page.get_by_role("heading", name="Unduh data saya").wait_for()
    assert page.get_by_role("heading", name="Komentar yang ditulis").is_visible()
    assert page.get_by_text("saya ingin ikut kelas sore hari").is_visible()
    assert nik not in page.locator("body").inner_text()
    assert fits_phone(page)
    screenshot(page, "page")

    page.locator(".own-nik").get_by_text("Tampilkan NIK saya").click()
    assert nik in page.locator(".own-nik").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh sebagai berkas JSON").click()
    download = download_info.value
    assert download.suggested_filename.startswith("data-saya-")
    assert download.suggested_filename.endswith(".json")
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert document["sections"]["residents"]["rows"][0]["NIK"] == nik
    comments = document["sections"]["comments"]["rows"]
    assert comments[0]["Komentar"].startswith("Usul yang bagus")
