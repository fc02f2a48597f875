"""On a 360 px phone: what each participation is about on Data Saya, the NIK shown the same way
there and on Profil, and a visitor reading the scorecard of a kelurahan with no residents yet."""

import re

import pytest

from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in
from tests.core.participation_support import take_part_in_everything

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_data_saya_names_the_record_of_each_participation(phone_page, live_server, screenshot):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    user, resident = factories.make_resident_user(rt, "warga")
    names = take_part_in_everything(resident, period)
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/data-saya/")

    about = page.locator("#participation-heading + div table td[data-label='Perihal']")
    assert about.all_inner_texts() == names
    page.locator("#participation-heading").scroll_into_view_if_needed()
    assert fits_phone(page)
    screenshot(page, "participation")


def test_the_nik_is_shown_the_same_way_on_profil_and_data_saya(phone_page, live_server, screenshot):
    """Someone reading over the resident's shoulder, or putting the two pages side by side, sees
    no digit of the NIK on either until the resident opens it; then both show all of it."""
    user, resident = factories.make_resident_user(blitar_rt(), "warga")
    nik = resident.reveal_nik()
    page = phone_page
    log_in(page, live_server, user)
    markup, seen = {}, ""

    for name, path in (("profil", "/accounts/profil/"), ("data-saya", "/data-saya/")):
        page.goto(f"{live_server.url}{path}")
        own = page.locator(".own-nik")
        assert own.count() == 1, name
        markup[name] = own.inner_html()
        closed = own.inner_text()
        assert "NIK tercatat" in closed
        assert not re.search(r"[0-9]", closed), name
        seen += page.locator("body").inner_text()
        assert fits_phone(page)
        screenshot(page, name)

        own.get_by_text("Tampilkan NIK saya").click()
        assert nik in own.inner_text()
        screenshot(page, f"{name}-opened")

    assert markup["profil"] == markup["data-saya"]
    assert nik not in seen


def test_a_visitor_reads_that_an_empty_kelurahan_has_no_residents_yet(
    phone_page, live_server, screenshot
):
    """Nobody in the base is no rate at all: "0,0%" would read as residents who did not take
    part."""
    rt = blitar_rt()
    factories.PeriodFactory()
    page = phone_page

    page.goto(f"{live_server.url}/publik/{rt.rw.kelurahan.code}/")

    card = page.locator("section[aria-labelledby='public-assessment']")
    rates = card.locator("td[data-label='Persentase']")
    assert rates.all_inner_texts() == ["belum ada warga"] * 4
    assert card.locator("#card-heading").inner_text() == "Belum ada warga"
    assert "0,0" not in page.locator("body").inner_text()
    assert fits_phone(page)
    # The table's caption spans the card, not a narrow column beside it.
    assert page.locator("table.table-stack caption").first.bounding_box()["width"] > 300
    card.scroll_into_view_if_needed()
    screenshot(page, "public-scorecard")
