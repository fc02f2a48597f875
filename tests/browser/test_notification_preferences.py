"""On a 360 px phone: a resident opens the notification settings from Profil, agrees to
WhatsApp messages and turns them on for forums and votes; the page fits the screen throughout."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from rtkeren.models import Channel, Consent, NotificationKind
from rtkeren.selectors.notifications import channel_choices
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in, sideways_scrollers

pytestmark = pytest.mark.usefixtures("transactional_db")

PHONE = "+6281234567890"
URL = "/notifikasi/pengaturan/"
BLOCKING = {"serious", "critical"}


def _wider_than_the_screen(page) -> list[str]:
    """Elements reaching past the right edge of the screen, by their first words."""
    return page.eval_on_selector_all(
        "main *",
        """elements => elements.filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName + ": " + e.textContent.trim().slice(0, 40))""",
    )


def _fits(page) -> None:
    assert fits_phone(page)
    assert sideways_scrollers(page) == []
    assert _wider_than_the_screen(page) == []
    blocking = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert blocking == [], [violation["id"] for violation in blocking]


def test_a_resident_turns_on_whatsapp_for_forums_and_votes(phone_page, live_server, screenshot):
    user, resident = factories.make_resident_user(blitar_rt(), "warga", phone=PHONE)
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/accounts/profil/")
    page.locator(f"main a[href='{URL}']").click()
    expect(page.locator("#consent-whatsapp")).to_be_visible()
    assert page.url == f"{live_server.url}{URL}"
    assert page.locator("html").get_attribute("lang") == "id"
    _fits(page)
    screenshot(page, "settings")

    page.locator("#consent-whatsapp").check()
    page.locator("#pref-forum-whatsapp").check()
    page.locator("#pref-vote-whatsapp").check()
    screenshot(page, "whatsapp-chosen")
    page.locator("main form button.btn-success[type='submit']").click()

    expect(page.locator("button[name='withdraw'][value='whatsapp']")).to_be_visible()
    expect(page.locator("#consent-whatsapp")).to_have_count(0)
    _fits(page)
    screenshot(page, "saved")
    page.reload()
    for kind, on in (("forum", True), ("vote", True), ("meeting", False)):
        box = page.locator(f"#pref-{kind}-whatsapp")
        expect(box).to_be_checked() if on else expect(box).not_to_be_checked()
    assert Consent.objects.in_force().get().purpose == Consent.Purpose.WHATSAPP
    assert channel_choices([user], NotificationKind.FORUM)[user.pk][Channel.WHATSAPP] == PHONE
    assert Channel.WHATSAPP not in channel_choices([user], NotificationKind.MEETING)[user.pk]
