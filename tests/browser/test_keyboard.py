"""A resident on a 360 px phone votes and evaluates with the keyboard alone, and the errors of a
form returned to them are announced: nothing here is clicked or filled in, every step is Tab,
Shift+Tab, Space, Enter, an arrow key, or typing into the field the focus reached."""

import pytest

from assessment.models import Evaluation
from designing.models import Vote
from tests import factories
from tests.browser.helpers import CRITERIA, blitar_rt, evaluable_activity, log_in, open_ballot

pytestmark = pytest.mark.usefixtures("transactional_db")

FOCUSED = """() => {
  const element = document.activeElement;
  return {
    tag: element.tagName.toLowerCase(),
    id: element.id,
    name: element.getAttribute("name") || "",
    role: element.getAttribute("role") || "",
    invalid: element.getAttribute("aria-invalid") || "",
    checked: element.checked === true,
    text: (element.innerText || "").trim(),
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def press_until(page, matches, *, key="Tab", limit=150) -> dict:
    """Press ``key`` until the focused element ``matches``; fail when it never does."""
    for _ in range(limit):
        page.keyboard.press(key)
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"{key} pressed {limit} times without reaching it; last: {element}")


def test_a_resident_votes_with_the_keyboard_alone(phone_page, live_server, screenshot):
    ballot = open_ballot()
    voting_round, user, resident = ballot.voting_round, ballot.user, ballot.resident
    tari = ballot.proposals["Kostum tari anak"]
    page = phone_page
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/perancangan/putaran/{voting_round.pk}/")
    page.get_by_text("Sisa suara Anda: 2.").wait_for()

    press_until(page, lambda element: element["text"] == "Pilih “Kostum tari anak”")
    page.keyboard.press("Enter")
    page.get_by_text("Sisa suara Anda: 1.").wait_for()
    # The ballot was swapped in place, and the focus stayed on the proposal just voted for.
    assert focused(page)["text"] == "Tarik suara saya"
    assert focused(page)["id"] == f"ballot-button-{tari.pk}"

    # Back up the ballot to the first proposal, and vote with Space this time.
    press_until(page, lambda element: element["text"] == "Pilih “Kelas membatik”", key="Shift+Tab")
    page.keyboard.press("Space")
    page.get_by_text("Sisa suara Anda: 0.").wait_for()
    screenshot(page, "voted")

    voted = set(Vote.objects.filter(resident=resident).values_list("activity__title", flat=True))
    assert voted == {"Kelas membatik", "Kostum tari anak"}


def test_a_resident_evaluates_with_the_keyboard_alone(phone_page, live_server, screenshot):
    world = evaluable_activity("Pelatihan membatik")
    activity, user = world.activity, world.user
    page = phone_page
    log_in(page, live_server, user)
    page.goto(f"{live_server.url}/evaluasi/kegiatan/{activity.pk}/nilai/")
    page.get_by_role("heading", name="Nilai “Pelatihan membatik”").wait_for()

    # Sent empty first: the page comes back with the focus on the first score to give, in a
    # group described by its error message.
    press_until(page, lambda element: element["text"] == "Simpan penilaian")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    first = focused(page)
    assert (first["tag"], first["invalid"]) == ("input", "true"), first
    group = page.locator("fieldset", has=page.locator(":focus"))
    assert "Pilih nilai dari 1 sampai 5." in group.evaluate(
        "fieldset => fieldset.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).innerText).join(' ')"
    )
    screenshot(page, "errors")

    score_names = []
    for index in range(len(CRITERIA)):
        if index:
            press_until(
                page,
                lambda element: (
                    element["name"].startswith("score_") and element["name"] not in score_names
                ),
            )
        score_names.append(focused(page)["name"])
        # Space ticks "1", each arrow moves the tick one score up.
        page.keyboard.press("Space")
        for _ in range(1 if index == 3 else 3):
            page.keyboard.press("ArrowRight")
        assert focused(page)["checked"]
    press_until(page, lambda element: element["id"] == "id_obstacles")
    page.keyboard.type("Kain habis sebelum batik selesai.")
    press_until(page, lambda element: element["id"] == "id_suggestions")
    page.keyboard.type("Beli bahan di awal pelatihan.")
    press_until(page, lambda element: element["text"] == "Simpan penilaian")
    screenshot(page, "filled")
    page.keyboard.press("Enter")

    page.get_by_text("Terima kasih, penilaian Anda sudah disimpan.").wait_for()
    evaluation = Evaluation.objects.get(evaluator=user)
    assert sorted(evaluation.scores.values_list("value", flat=True)) == [2, 4, 4, 4, 4]
    assert evaluation.obstacles == "Kain habis sebelum batik selesai."
    assert evaluation.suggestions == "Beli bahan di awal pelatihan."


def test_the_errors_of_a_whole_form_are_an_alert_that_takes_the_focus(
    phone_page, live_server, screenshot
):
    rt = blitar_rt()
    factories.make_resident_user(rt, "warga")
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")

    press_until(page, lambda element: element["id"] == "id_username")
    page.keyboard.type("warga")
    press_until(page, lambda element: element["id"] == "id_password")
    page.keyboard.type("bukan-sandinya")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "sandi" in alert.inner_text()
    assert focused(page)["role"] == "alert"
    screenshot(page, "login-error")
