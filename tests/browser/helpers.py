"""What the browser tests share: places, logging in, and fitting a phone screen."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.test import Client

from assessment.models import Criterion, Side
from tests import factories
from tests.assessment.factories import EvaluationFactory, delivered_activity, take_part
from tests.designing.factories import VotingRoundFactory, proposal


def blitar_rt():
    """RT 002 / RW 007 of Kelurahan Blitar."""
    kelurahan = factories.kelurahan(factories.BLITAR)
    return factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=7), number=2)


def log_in(page, live_server, user) -> None:
    """Give the browser a session for ``user`` without going through the login form."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def fits_phone(page) -> bool:
    """The page does not scroll sideways on a 360 px phone."""
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def sideways_scrollers(page) -> list[str]:
    """The elements that hide part of their content behind a sideways scroll (a table inside
    ``.table-responsive``, say), by their first words: a phone user may never find it."""
    return page.eval_on_selector_all(
        "body *",
        """elements => elements.filter(e => {
            const overflow = getComputedStyle(e).overflowX;
            const scrolls = overflow === "auto" || overflow === "scroll";
            return scrolls && e.scrollWidth > e.clientWidth + 1;
        }).map(e => e.textContent.trim().slice(0, 40))""",
    )


def tick_on_the_second_page(page, screenshot, name: str) -> None:
    """On an attendance list of two pages: save the first page's ticks on the way to the
    second, tick ``name`` there and save it; the page says one was added."""
    page.get_by_role("button", name="Simpan dan lanjut").click()
    page.get_by_text("Halaman 2 dari 2").wait_for()
    page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Simpan kehadiran").click()
    # "Kehadiran disimpan: 1 ditambahkan, …" (forum) or "Daftar hadir disimpan: …" (meeting).
    page.get_by_text(re.compile(r"disimpan: 1 ditambahkan, 0 ")).wait_for()
    screenshot(page, "second-page")


# The worlds that several browser tests start from.

CRITERIA = [
    ("manfaat", "Manfaat"),
    ("minat-bakat", "Kesesuaian dengan minat dan bakat"),
    ("kualitas-pelaksanaan", "Kualitas pelaksanaan"),
    ("luaran-produk", "Luaran/produk"),
    ("komunikasi-pengurus", "Komunikasi pengurus"),
]


def ensure_criteria() -> None:
    """The criteria's data migration does not survive a transactional test's flush."""
    for order, (code, name) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "order": order})


@dataclass
class Ballot:
    voting_round: object
    proposals: dict
    user: object
    resident: object


def open_ballot() -> Ballot:
    """An open round of the demo RT with three proposals and two votes each, and a verified
    resident "warga" of that RT to vote in it."""
    rt = blitar_rt()
    period = factories.PeriodFactory()
    proposals = {
        title: proposal(rt=rt, period=period, title=title)
        for title in ("Kelas membatik", "Kostum tari anak", "Kemasan pecel")
    }
    voting_round = VotingRoundFactory(
        rt=rt, period=period, proposals=list(proposals.values()), votes_per_resident=2
    )
    user, resident = factories.make_resident_user(rt, "warga")
    return Ballot(voting_round, proposals, user, resident)


@dataclass
class Evaluable:
    activity: object
    user: object
    resident: object


def evaluable_activity(title: str) -> Evaluable:
    """A delivered activity of the demo RT, already evaluated by its officer, and a resident
    "warga" who took part in it and may evaluate it."""
    rt = blitar_rt()
    ensure_criteria()
    period = factories.PeriodFactory()
    officer = factories.make_user_with_role("officer", "petugas", kelurahan=rt.rw.kelurahan)
    activity = delivered_activity(by=officer, rt=rt, period=period, title=title)
    user, resident = factories.make_resident_user(rt, "warga")
    take_part(resident, activity)
    EvaluationFactory(
        activity=activity,
        side=Side.GOVERNMENT,
        evaluator=officer,
        scores={code: 5 for code, _name in CRITERIA},
    )
    return Evaluable(activity, user, resident)
