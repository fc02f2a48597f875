"""An officer compares the 31 RTs of a kelurahan, on a phone and at a desk: a short table with
the RTs below threshold first, sortable by a stage, with the bars only when asked for.

Page heights with the world below (31 RTs of five residents): when the comparison opened on
the bars of every RT above a table in the RTs' order, 14,625 px on a 360 px phone and 8,088 px
at 1366 px; with the table alone, about 5,800 px and 2,300 px. The bounds are half the old
heights on a phone and well under it at a desk: room for a longer name or caption, none for
the bars."""

import random

import pytest
from axe_playwright_python.sync_playwright import Axe

from rtkeren.models import Role, Stage
from rtkeren.services.ledger import participation_record
from tests import factories
from tests.browser.helpers import fits_phone, log_in

pytestmark = pytest.mark.usefixtures("transactional_db")

RT_COUNT = 31
RESIDENTS = 5
THRESHOLDS = {"commissioning": 40, "designing": 30, "delivery": 20, "assessment": 10}
KIND_IN = {
    Stage.COMMISSIONING: "forum_attended",
    Stage.DESIGNING: "proposal_commented",
    Stage.DELIVERY: "attended",
    Stage.ASSESSMENT: "evaluation_submitted",
}
PHONE_HEIGHT_BOUND = 7_300
DESKTOP_HEIGHT_BOUND = 3_000


def _kelurahan_of_31_rts():
    """31 RTs of five adults each; in each stage, a seeded number of them took part. Returns
    the kelurahan, its officer, and the names of the RTs left below a threshold."""
    kelurahan = factories.kelurahan(factories.BLITAR)
    period = factories.PeriodFactory()
    for stage, threshold in THRESHOLDS.items():
        setattr(period, f"threshold_{stage}", threshold)
    period.save()
    rng = random.Random(26)
    below = set()
    for index in range(RT_COUNT):
        rw = factories.RWFactory(kelurahan=kelurahan, number=index // 8 + 1)
        rt = factories.RTFactory(rw=rw, number=index % 8 + 1)
        residents = [factories.ResidentFactory(rt=rt) for _ in range(RESIDENTS)]
        for stage in Stage:
            takers = rng.choice([0, 1, 2, 2, 3, 5])
            for resident in residents[:takers]:
                participation_record(
                    resident=resident, kind=KIND_IN[stage], subject=rt, period=period
                )
            if takers * 100 / RESIDENTS < THRESHOLDS[stage.value]:
                below.add(str(rt))
    officer = factories.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)
    assert 0 < len(below) < RT_COUNT
    return kelurahan, officer, below


def _row_names(page) -> list[str]:
    return page.locator("table.scorecard-comparison tbody th[scope=row]").all_inner_texts()


def _rates(page, column: int) -> list[float]:
    cells = page.locator(
        f"table.scorecard-comparison tbody tr td:nth-of-type({column})"
    ).all_inner_texts()
    return [float(cell.split("%")[0].replace(".", "").replace(",", ".")) for cell in cells]


def _cells_overflowing(page) -> list[str]:
    """Cells whose label or figure spills out of them (into the next one, on a phone)."""
    return page.eval_on_selector_all(
        "table.scorecard-comparison tbody td",
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1)"
        ".map(c => c.dataset.label + ': ' + c.textContent.trim())",
    )


def _height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def _compare(page, live_server, kelurahan):
    page.goto(f"{live_server.url}/evaluasi/skor/kelurahan/{kelurahan.pk}/?view=compare")


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_the_rts_below_threshold_come_first_in_a_short_table(
    viewport, request, live_server, screenshot
):
    kelurahan, officer, below = _kelurahan_of_31_rts()
    page = request.getfixturevalue(viewport)
    log_in(page, live_server, officer)

    _compare(page, live_server, kelurahan)

    names = _row_names(page)
    assert len(names) == RT_COUNT
    assert set(names[: len(below)]) == below
    shortfall = page.get_by_role("columnheader", name="Di bawah ambang batas")
    assert shortfall.get_attribute("aria-sort") == "descending"
    screenshot(page, "below-threshold-first")
    bound = PHONE_HEIGHT_BOUND if viewport == "phone_page" else DESKTOP_HEIGHT_BOUND
    assert _height(page) < bound
    assert _cells_overflowing(page) == []
    if viewport == "phone_page":
        assert fits_phone(page)
    blocking = [
        violation
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert blocking == []


@pytest.mark.parametrize("viewport", ["phone_page", "desktop_page"])
def test_sorting_by_a_stage_through_its_header(viewport, request, live_server, screenshot):
    kelurahan, officer, _below = _kelurahan_of_31_rts()
    page = request.getfixturevalue(viewport)
    log_in(page, live_server, officer)
    _compare(page, live_server, kelurahan)
    page.get_by_role("columnheader", name="Perancangan Bersama").get_by_role("link").click()

    page.wait_for_url("**sort=designing**")
    rates = _rates(page, 3)
    assert rates == sorted(rates)
    assert rates[0] < rates[-1]
    header = page.get_by_role("columnheader", name="Perancangan Bersama")
    assert header.get_attribute("aria-sort") == "ascending"
    screenshot(page, "by-designing")

    header.get_by_role("link").click()
    page.wait_for_url("**order=desc**")
    assert _rates(page, 3) == sorted(rates, reverse=True)
    if viewport == "phone_page":
        assert fits_phone(page)


def test_the_bars_wait_until_asked_for_on_a_phone(phone_page, live_server, screenshot):
    kelurahan, officer, _below = _kelurahan_of_31_rts()
    page = phone_page
    log_in(page, live_server, officer)
    _compare(page, live_server, kelurahan)

    bars = page.locator(".bar-chart").first
    assert not bars.is_visible()
    short = _height(page)

    page.get_by_text("Tampilkan grafik").click()

    assert bars.is_visible()
    assert page.locator(".bar-chart li").count() == RT_COUNT
    assert _height(page) > short + 2_000
    assert fits_phone(page)
    screenshot(page, "bars-opened")
