"""Co-designing in a real browser on a 360 px phone: a resident joins a proposal's discussion,
and a resident votes in a round; both without a page reload (htmx)."""

import pytest

from designing.models import Comment, Vote
from rtkeren.models import Participation, Stage
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in, open_ballot
from tests.designing.factories import proposal

pytestmark = pytest.mark.usefixtures("transactional_db")


def _mark_page(page) -> None:
    """A flag that a reload would wipe out."""
    page.evaluate("window.notReloaded = true")


def _not_reloaded(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_a_resident_comments_on_a_phone(phone_page, live_server, screenshot):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    author, _resident = factories.make_resident_user(rt, "ketua_rt")
    activity = proposal(rt=rt, period=period, author=author, title="Kelas membatik remaja")
    Comment.objects.create(activity=activity, author=author, body="Silakan beri masukan.")
    user, resident = factories.make_resident_user(rt, "warga")
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/perancangan/")
    page.get_by_role("link", name="Kelas membatik remaja").click()
    page.get_by_role("heading", name="Kelas membatik remaja").wait_for()
    assert fits_phone(page)
    _mark_page(page)
    page.get_by_label("Komentar Anda").fill("Apakah ibu-ibu PKK boleh ikut?")
    page.get_by_role("button", name="Kirim komentar").click()
    page.get_by_text("Terima kasih, komentar Anda sudah terkirim.").wait_for()
    assert page.get_by_text("Apakah ibu-ibu PKK boleh ikut?").is_visible()
    assert _not_reloaded(page)
    assert fits_phone(page)
    screenshot(page, "commented")

    # Newest thread first: the resident answers the proposer's older comment.
    page.locator("summary", has_text="Balas").last.click()
    page.get_by_label("Balasan Anda").last.fill("Saya juga ingin ikut.")
    page.get_by_role("button", name="Kirim balasan").last.click()
    page.get_by_text("Saya juga ingin ikut.").wait_for()
    assert _not_reloaded(page)
    assert fits_phone(page)
    screenshot(page, "replied")

    reply = Comment.objects.get(body="Saya juga ingin ikut.")
    assert reply.parent.body == "Silakan beri masukan."
    assert Participation.objects.filter(resident=resident, stage=Stage.DESIGNING).count() == 1


def test_a_resident_votes_on_a_phone(phone_page, live_server, screenshot):
    ballot = open_ballot()
    voting_round, user, resident = ballot.voting_round, ballot.user, ballot.resident
    page = phone_page
    log_in(page, live_server, user)

    page.goto(f"{live_server.url}/perancangan/putaran/")
    page.get_by_role("link", name=voting_round.title).click()
    page.get_by_text("Sisa suara Anda: 2.").wait_for()
    assert fits_phone(page)
    _mark_page(page)
    page.get_by_role("button", name="Pilih “Kelas membatik”").click()
    page.get_by_text("Sisa suara Anda: 1.").wait_for()
    page.get_by_role("button", name="Pilih “Kostum tari anak”").click()
    page.get_by_text("Sisa suara Anda: 0.").wait_for()
    assert page.get_by_role("button", name="Pilih “Kemasan pecel”").count() == 0
    assert _not_reloaded(page)
    assert fits_phone(page)
    screenshot(page, "voted")

    page.get_by_role("button", name="Tarik suara saya").first.click()
    page.get_by_text("Sisa suara Anda: 1.").wait_for()
    page.get_by_role("button", name="Pilih “Kemasan pecel”").click()
    page.get_by_text("Sisa suara Anda: 0.").wait_for()
    assert _not_reloaded(page)
    screenshot(page, "changed")

    voted = set(Vote.objects.filter(resident=resident).values_list("activity__title", flat=True))
    assert len(voted) == 2
    assert "Kemasan pecel" in voted
    assert Participation.objects.filter(resident=resident, kind="vote_cast").count() == 1


def test_a_refused_vote_is_told_on_the_page(phone_page, live_server, screenshot, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": ("1/m", "100/m")}
    ballot = open_ballot()
    page = phone_page
    log_in(page, live_server, ballot.user)
    page.goto(f"{live_server.url}/perancangan/putaran/{ballot.voting_round.pk}/")
    _mark_page(page)
    notice = page.get_by_role("alert").filter(has_text="Terlalu banyak permintaan")
    page.get_by_role("button", name="Pilih “Kelas membatik”").click()
    page.get_by_text("Sisa suara Anda: 1.").wait_for()
    assert notice.count() == 0

    # Over the limit the server answers 429 and htmx swaps nothing: the notice says why.
    page.get_by_role("button", name="Pilih “Kostum tari anak”").click()
    notice.wait_for()
    assert notice.is_visible()
    assert page.get_by_text("Sisa suara Anda: 1.").is_visible()
    assert _not_reloaded(page)
    assert fits_phone(page)
    screenshot(page, "refused")
    assert Vote.objects.filter(resident=ballot.resident).count() == 1


def test_an_officer_sees_the_ceiling_and_is_refused_past_it(desktop_page, live_server, screenshot):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    approved = factories.ActivityFactory(rt=rt, period=period, status="approved")
    factories.BudgetLineFactory(activity=approved, quantity=1, unit="paket", unit_price=45_000_000)
    activity = proposal(rt=rt, period=period, title="Pengecatan pos ronda")
    activity.budget_lines.update(quantity=1, unit_price=6_000_000)
    page = desktop_page
    log_in(page, live_server, officer)

    page.goto(f"{live_server.url}/perancangan/usulan/{activity.pk}/")
    box = page.locator(".ceiling-position")
    assert "Rp51.000.000" in box.inner_text()
    assert "melewati pagu sebesar Rp1.000.000" in box.inner_text()
    page.get_by_label("Setujui").check()
    page.get_by_role("button", name="Simpan keputusan").click()
    page.get_by_text("melampaui pagu RT sebesar Rp50.000.000").wait_for()
    screenshot(page, "ceiling-refused")

    activity.refresh_from_db()
    assert activity.status == "proposed"
