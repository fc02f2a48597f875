"""Co-assessment in a real browser: a resident who took part evaluates an activity on a 360 px
phone and sees the two sides next to each other."""

import pytest

from assessment.models import Criterion, Evaluation, Side
from rtkeren.models import Participation, Stage
from tests import factories
from tests.assessment.factories import EvaluationFactory, delivered_activity, take_part
from tests.browser.helpers import blitar_rt, fits_phone, log_in

pytestmark = pytest.mark.usefixtures("transactional_db")

CRITERIA = [
    ("manfaat", "Manfaat"),
    ("minat-bakat", "Kesesuaian dengan minat dan bakat"),
    ("kualitas-pelaksanaan", "Kualitas pelaksanaan"),
    ("luaran-produk", "Luaran/produk"),
    ("komunikasi-pengurus", "Komunikasi pengurus"),
]


def _criteria():
    """The criteria's data migration does not survive a transactional test's flush."""
    for order, (code, name) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def test_a_resident_evaluates_an_activity_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    _criteria()
    period = factories.PeriodFactory()
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    activity = delivered_activity(
        by=officer, rt=rt, period=period, title="Pelatihan membatik tulis"
    )
    user, resident = factories.make_resident_user(rt, "warga")
    take_part(resident, activity)
    EvaluationFactory(
        activity=activity,
        side=Side.GOVERNMENT,
        evaluator=officer,
        scores={code: 5 for code, _name in CRITERIA},
    )
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
