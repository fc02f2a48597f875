"""The main tables on a 360 px phone: each row a card with every cell labelled and inside the
screen, none behind a sideways scroll."""

import pytest

from rtkeren.models import ActivityStatus
from tests import factories
from tests.assessment.factories import FollowUpFactory, delivered_activity
from tests.browser.helpers import blitar_rt, fits_phone, log_in, sideways_scrollers
from tests.delivery.factories import approved_activity
from tests.designing.factories import proposal

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
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    delivered = delivered_activity(by=officer, rt=rt, period=period, title="Kelas tari anak")
    FollowUpFactory(activity=delivered, owner=officer, action="Menjadwalkan ulang pelatih tari")
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
    assert page.locator("td[data-label='Tenggat']").inner_text() != ""
    assert fits_phone(page)
    assert sideways_scrollers(page) == []
    screenshot(page, "public")


def test_an_rt_chairs_lists_fit_a_phone_with_nothing_behind_a_sideways_scroll(
    phone_page, live_server, screenshot
):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role="rt_chair", rt=rt)
    for title in ("Pelatihan membatik tulis untuk remaja", "Kemasan pecel untuk UMKM"):
        proposal(rt=rt, period=period, author=chair, title=title)
    delivered = delivered_activity(by=officer, rt=rt, period=period, title="Festival budaya RW")
    approved_activity(
        rt, period=period, status=ActivityStatus.IN_DELIVERY, title="Kostum tari anak"
    )
    FollowUpFactory(activity=delivered, owner=chair, action="Menjadwalkan ulang pelatih tari")
    page = phone_page
    log_in(page, live_server, chair)
    pages = {
        "proposals": "/perancangan/",
        "budget-plan": f"/perancangan/rap/{rt.pk}/",
        "activities": "/pelaksanaan/",
        "follow-ups": "/evaluasi/tindak-lanjut/",
        "evaluation": f"/evaluasi/kegiatan/{delivered.pk}/",
        "my-data": "/data-saya/",
    }

    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        screenshot(page, name)
        assert fits_phone(page), path
        assert sideways_scrollers(page) == [], path
