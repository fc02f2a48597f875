"""Small things a pilot would trip over, each on a 360 px phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from commissioning.models import Endorsement
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in
from tests.commissioning.factories import EndorsementFactory, PotentialFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_endorsing_a_potential_reads_saya_mendukung_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    factories.PeriodFactory()
    author, _resident = factories.make_resident_user(rt, "penulis")
    potential = PotentialFactory(
        rt=rt, author=author, author_resident=author.resident, title="Sanggar karawitan"
    )
    EndorsementFactory(potential=potential)
    user, resident = factories.make_resident_user(rt, "warga")
    page = phone_page
    log_in(page, live_server, user)

    page.goto(live_server.url + reverse("commissioning:potential-detail", args=[potential.pk]))

    expect(page.get_by_text("1 warga mendukung")).to_be_visible()
    button = page.get_by_role("button", name="Saya mendukung")
    expect(button).to_be_visible()
    assert fits_phone(page)
    screenshot(page, "before")
    button.click()

    expect(page.get_by_text("2 warga mendukung")).to_be_visible()
    expect(page.get_by_text("Saya mendukung", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Tarik dukungan saya")).to_be_visible()
    assert fits_phone(page)
    screenshot(page, "endorsed")
    assert Endorsement.objects.filter(potential=potential, resident=resident).exists()

    page.goto(live_server.url + reverse("commissioning:potential-list"))
    item = page.get_by_role("listitem").filter(has_text="Sanggar karawitan")
    expect(item).to_contain_text("2 warga mendukung")
    expect(item.get_by_text("Saya mendukung", exact=True)).to_be_visible()
    assert fits_phone(page)
    screenshot(page, "list")
