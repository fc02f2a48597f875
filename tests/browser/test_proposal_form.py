"""An RT chair drafts a proposal on a 360 px phone: budget lines added as needed, their total
kept up to date against what is left of the RT's ceiling, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from rtkeren.models import Activity, ActivityStatus, Role
from tests import factories

from .conftest import PHONE
from .helpers import blitar_rt, fits_phone, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chair():
    """The chair of the demo RT, whose RT has Rp1.500.000 left of its Rp50.000.000 ceiling."""
    rt = blitar_rt()
    period = factories.PeriodFactory(rt_ceiling=50_000_000)
    approved = factories.ActivityFactory(
        rt=rt,
        period=period,
        status=ActivityStatus.APPROVED,
        funding_source=Activity.Funding.RT_KEREN,
    )
    factories.BudgetLineFactory(activity=approved, quantity=1, unit_price=48_500_000)
    user, _resident = factories.make_resident_user(rt, "ketua")
    factories.RoleAssignmentFactory(user=user, role=Role.RT_CHAIR, rt=rt)
    return user


def _fill_proposal(page, title: str) -> None:
    page.get_by_label("Judul").fill(title)
    page.get_by_label("Jenis kegiatan").select_option("pelatihan")
    page.get_by_label("Fisik atau nonfisik").select_option("nonfisik")
    page.get_by_label("Bidang").select_option("pembangunan_manusia")
    page.get_by_label("Sumber dana").select_option("rt_keren")


def _fill_line(page, index: int, item: str, quantity: str, unit: str, price: str) -> None:
    page.locator(f"[name=budget-{index}-item]").fill(item)
    page.locator(f"[name=budget-{index}-quantity]").fill(quantity)
    page.locator(f"[name=budget-{index}-unit]").fill(unit)
    page.locator(f"[name=budget-{index}-unit_price]").fill(price)


def test_budget_lines_added_on_a_phone_with_a_live_total(
    phone_page, live_server, chair, screenshot
):
    page = phone_page
    log_in(page, live_server, chair)
    page.goto(f"{live_server.url}/perancangan/usulan/baru/")
    _fill_proposal(page, "Kelas membatik remaja")
    summary = page.locator("#budget-summary")
    expect(summary).to_contain_text("Rp1.500.000")
    expect(page.locator("[data-budget-line]")).to_have_count(1)

    _fill_line(page, 0, "Kain mori", "20", "lembar", "35000")
    expect(page.locator("[data-budget-total]")).to_have_text("Rp700.000")
    page.get_by_role("button", name="Tambah baris anggaran").click()
    expect(page.locator("[data-budget-line]")).to_have_count(2)
    # The row added by htmx, without reloading the page: what was typed is still there.
    expect(page.locator("[name=budget-0-item]")).to_have_value("Kain mori")
    expect(page.locator("[name=budget-1-item]")).to_be_focused()
    _fill_line(page, 1, "Malam batik", "4", "kg", "60000")
    expect(page.locator("[data-budget-total]")).to_have_text("Rp940.000")
    expect(page.locator("[data-budget-over]")).to_be_hidden()
    screenshot(page, "two-lines-under-the-ceiling")

    page.locator("[name=budget-1-quantity]").fill("20")
    expect(page.locator("[data-budget-total]")).to_have_text("Rp1.900.000")
    over = page.locator("[data-budget-over]")
    expect(over).to_be_visible()
    expect(over).to_contain_text("Rp400.000 lebih dari sisa pagu RT")
    assert fits_phone(page)
    screenshot(page, "over-the-ceiling")

    # A kelurahan-wide proposal has no RT ceiling: the summary asks the server again.
    page.get_by_label("Untuk").select_option(label="Seluruh Kelurahan Blitar")
    expect(page.locator("[data-budget-remaining]")).to_have_count(0)
    expect(summary).to_contain_text("petugas yang menentukan bagian tiap RT")
    page.get_by_label("Untuk").select_option(label="RT 002 / RW 007, Blitar")
    expect(page.locator("[data-budget-remaining]")).to_have_text("Rp1.500.000")
    expect(over).to_be_visible()

    page.locator("[name=budget-1-quantity]").fill("4")
    expect(over).to_be_hidden()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.get_by_text("Draf tersimpan. Ajukan bila sudah siap.")).to_be_visible()
    screenshot(page, "saved")

    activity = Activity.objects.get(title="Kelas membatik remaja")
    lines = activity.budget_lines.order_by("pk").values_list(
        "item", "quantity", "unit", "unit_price"
    )
    assert list(lines) == [("Kain mori", 20, "lembar", 35_000), ("Malam batik", 4, "kg", 60_000)]


def test_budget_lines_added_and_removed_without_javascript(browser, live_server, chair, screenshot):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, live_server, chair)
        page.goto(f"{live_server.url}/perancangan/usulan/baru/")
        _fill_proposal(page, "Kostum tari anak")
        _fill_line(page, 0, "Kain satin", "10", "meter", "45.000")

        page.get_by_role("button", name="Tambah baris anggaran").click()
        expect(page.locator("[data-budget-line]")).to_have_count(2)
        expect(page).to_have_url(re.compile(r"#budget-lines$"))
        expect(page.locator("[name=budget-0-item]")).to_have_value("Kain satin")
        expect(page.get_by_label("Judul")).to_have_value("Kostum tari anak")
        expect(page.locator("[data-budget-total]")).to_have_text("Rp450.000")
        assert not Activity.objects.filter(title="Kostum tari anak").exists()
        _fill_line(page, 1, "Payet", "5", "bungkus", "20000")
        page.get_by_role("button", name="Tambah baris anggaran").click()
        expect(page.locator("[data-budget-line]")).to_have_count(3)
        expect(page.locator("[data-budget-total]")).to_have_text("Rp550.000")
        screenshot(page, "rows-added-without-javascript")

        page.get_by_role("button", name="Hapus baris 1").click()
        expect(page.locator("[data-budget-line]")).to_have_count(2)
        expect(page.locator("[name=budget-0-item]")).to_have_value("Payet")
        expect(page.locator("[data-budget-total]")).to_have_text("Rp100.000")
        assert fits_phone(page)
        screenshot(page, "row-removed-without-javascript")

        page.get_by_role("button", name="Simpan draf").click()
        expect(page.get_by_text("Draf tersimpan. Ajukan bila sudah siap.")).to_be_visible()
    finally:
        context.close()

    activity = Activity.objects.get(title="Kostum tari anak")
    lines = activity.budget_lines.values_list("item", "quantity", "unit_price")
    assert list(lines) == [("Payet", 5, 20_000)]
