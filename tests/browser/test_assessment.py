"""Co-assessment in a real browser: a resident who took part evaluates an activity on a 360 px
phone and sees the two sides next to each other."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import formats, timezone

from assessment.models import Evaluation, FollowUp, Side
from assessment.selectors import window_closes_at
from rtkeren.models import Participation, Stage
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.browser.helpers import (
    CRITERIA,
    evaluable_activity,
    fits_phone,
    log_in,
    sideways_scrollers,
)

User = get_user_model()

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


def test_a_resident_who_may_not_evaluate_reads_why_and_until_when(
    phone_page, live_server, screenshot
):
    world = evaluable_activity("Pelatihan membatik tulis")
    outsider_user, _resident = factories.make_resident_user(world.activity.rt, "tetangga")
    page = phone_page
    log_in(page, live_server, outsider_user)

    page.goto(f"{live_server.url}/evaluasi/kegiatan/{world.activity.pk}/")

    reason = page.get_by_role("status").filter(has_text="Hanya warga yang hadir")
    assert reason.is_visible()
    closes_at = timezone.localtime(window_closes_at(world.activity))
    assert formats.date_format(closes_at, "DATETIME_FORMAT") in reason.inner_text()
    assert page.get_by_role("link", name="Nilai kegiatan ini").count() == 0
    assert fits_phone(page)
    assert sideways_scrollers(page) == []
    screenshot(page, "reason")


def test_each_question_stands_above_its_options_on_a_phone(phone_page, live_server, screenshot):
    world = evaluable_activity("Pelatihan membatik tulis")
    page = phone_page
    log_in(page, live_server, world.user)

    page.goto(f"{live_server.url}/evaluasi/kegiatan/{world.activity.pk}/nilai/")

    for _code, name in CRITERIA:
        question = page.locator("fieldset", has_text=name).locator("legend")
        options = page.locator("fieldset", has_text=name).locator("input[type=radio]")
        assert options.count() == 5
        question_box = question.bounding_box()
        for index in range(5):
            assert options.nth(index).bounding_box()["y"] >= (
                question_box["y"] + question_box["height"]
            ), name
    assert fits_phone(page)
    screenshot(page, "questions")


def test_closing_a_follow_up_without_a_resolution_is_told_in_plain_indonesian(
    phone_page, live_server, screenshot
):
    world = evaluable_activity("Pelatihan membatik tulis")
    officer = User.objects.get(username="petugas")
    follow_up = FollowUpFactory(activity=world.activity, owner=officer)
    page = phone_page
    log_in(page, live_server, officer)
    page.goto(f"{live_server.url}/evaluasi/tindak-lanjut/{follow_up.pk}/")

    page.get_by_label("Status").select_option(label="Selesai")
    page.get_by_role("button", name="Simpan").click()

    page.get_by_role("alert").first.wait_for()
    text = page.locator("main").inner_text()
    assert "follow_up_done_has_resolution" not in text
    assert "Batasan" not in text
    assert (
        page.get_by_text(
            "Tuliskan apa yang sudah dilakukan sebelum menandai tindak lanjut selesai."
        ).count()
        >= 1
    )
    assert fits_phone(page)
    screenshot(page, "refused")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
