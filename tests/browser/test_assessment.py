"""Co-assessment in a real browser: a resident who took part evaluates an activity on a 360 px
phone and sees the two sides next to each other."""

import pytest

from assessment.models import Evaluation, Side
from rtkeren.models import Participation, Stage
from tests.browser.helpers import CRITERIA, evaluable_activity, fits_phone, log_in

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_resident_evaluates_an_activity_on_a_phone(phone_page, live_server, screenshot):
    world = evaluable_activity("Pelatihan membatik tulis")
    user, resident = world.user, world.resident
    page = phone_page
    log_in(page, live_server, user)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Kegiatan yang menunggu penilaian Anda").click()
    page.get_by_role("link", name="Pelatihan membatik tulis").click()
    page.get_by_role("link", name="Nilai kegiatan ini").click()
    page.get_by_role("heading", name="Nilai “Pelatihan membatik tulis”").wait_for()
    assert fits_phone(page)
    for index, (_code, name) in enumerate(CRITERIA):
        page.locator("fieldset", has_text=name).get_by_label(
            "2 – kurang" if index == 3 else "4 – baik"
        ).check()
    page.get_by_label("Hambatan").fill("Kain habis sebelum batik selesai.")
    page.get_by_label("Saran").fill("Beli bahan di awal pelatihan.")
    screenshot(page, "form")
    page.get_by_role("button", name="Simpan penilaian").click()

    page.get_by_text("Terima kasih, penilaian Anda sudah disimpan.").wait_for()
    assert page.get_by_text("Kedua pihak berbeda pendapat:").is_visible()
    assert page.get_by_role("table").get_by_text("Luaran/produk").is_visible()
    assert fits_phone(page)
    screenshot(page, "side-by-side")
    evaluation = Evaluation.objects.get(evaluator=user)
    assert evaluation.side == Side.COMMUNITY
    assert sorted(evaluation.scores.values_list("value", flat=True)) == [2, 4, 4, 4, 4]
    assert Participation.objects.filter(stage=Stage.ASSESSMENT, resident=resident).exists()
