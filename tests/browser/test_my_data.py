"""A resident's own data on a 360 px phone: what each participation is about on Data Saya."""

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
