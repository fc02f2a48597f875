"""The main tables on a 360 px phone: each row a card with every cell labelled and inside the
screen, none behind a sideways scroll."""

import pytest

from rtkeren.models import ActivityStatus
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone
from tests.delivery.factories import approved_activity

pytestmark = pytest.mark.usefixtures("transactional_db")


def _cells_outside_the_screen(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector,
        "cells => cells.filter(c => c.getBoundingClientRect().right > 361)"
        ".map(c => c.textContent.trim())",
    )


def test_the_public_pages_activities_are_cards_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    for title in ("Pelatihan membatik tulis untuk remaja", "Festival budaya lintas RW"):
        approved_activity(
            rt, period=period, status=ActivityStatus.IN_DELIVERY, title=title, budget=12_500_000
        )
    page = phone_page

    page.goto(f"{live_server.url}/publik/{rt.rw.kelurahan.code}/")

    cells = "table.table-stack td"
    assert page.locator(cells).count() >= 8
    assert _cells_outside_the_screen(page, cells) == []
    budget = page.locator("table.table-stack td[data-label='Anggaran']").first
    assert budget.is_visible()
    label = budget.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Anggaran"'
    assert "Rp12.500.000" in budget.inner_text()
    assert fits_phone(page)
    screenshot(page, "public")
