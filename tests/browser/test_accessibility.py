"""axe-core on a representative set of pages: no serious or critical violation.

axe.min.js ships inside axe-playwright-python and is injected with ``page.evaluate``; nothing is
fetched while the tests run.
"""

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from assessment.models import Criterion, Side
from rtkeren.models import Notification, Role
from rtkeren.services.notifications import notification_mark_read, notification_send
from tests import factories
from tests.assessment.factories import (
    EvaluationFactory,
    FollowUpFactory,
    delivered_activity,
    take_part,
)
from tests.browser.helpers import blitar_rt, log_in
from tests.designing.factories import VotingRoundFactory, proposal

pytestmark = pytest.mark.usefixtures("transactional_db")

BLOCKING = {"serious", "critical"}


@dataclass
class World:
    rt: object
    officer: object
    resident_user: object
    proposal: object
    voting_round: object
    delivered: object


def _world() -> World:
    rt = blitar_rt()
    # The criteria's data migration does not survive a transactional test's flush.
    for order, name in enumerate(["Manfaat", "Kualitas pelaksanaan", "Luaran/produk"], start=1):
        Criterion.objects.get_or_create(code=f"c{order}", defaults={"name": name, "order": order})
    period = factories.PeriodFactory()
    kelurahan = rt.rw.kelurahan
    officer = factories.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)
    chair, _chair_resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    user, resident = factories.make_resident_user(rt, "warga")
    batik = proposal(rt=rt, period=period, author=chair, title="Kelas membatik remaja")
    tari = proposal(rt=rt, period=period, author=chair, title="Kostum tari anak")
    voting_round = VotingRoundFactory(
        rt=rt, period=period, proposals=[batik, tari], opened_by=officer
    )
    delivered = delivered_activity(by=officer, rt=rt, period=period, title="Pelatihan pecel")
    take_part(resident, delivered)
    EvaluationFactory(
        activity=delivered,
        side=Side.GOVERNMENT,
        evaluator=officer,
        scores={criterion.code: 4 for criterion in Criterion.objects.all()},
    )
    FollowUpFactory(activity=delivered, owner=officer)
    _notify(user, officer)
    return World(rt, officer, user, batik, voting_round, delivered)


def _notify(*users) -> None:
    """Each of ``users`` has notifications with a link and without, read and unread: an unread
    one is drawn on yellow, whose contrast its text and buttons must keep."""
    for user in users:
        for message, url in (("Usulan baru menunggu", "/perancangan/"), ("Akun terverifikasi", "")):
            notification_send(recipients=[user], message=message, url=url)
            notification_send(recipients=[user], message=f"{message} (dibaca)", url=url)
        notification_mark_read(
            user=user, notifications=Notification.objects.filter(message__endswith="(dibaca)")
        )


# name: (viewport fixture, who is logged in, path)
PAGES = {
    "home-anonymous": ("phone_page", None, lambda w: "/"),
    "login": ("phone_page", None, lambda w: "/accounts/login/"),
    "registration": ("phone_page", None, lambda w: "/accounts/daftar/"),
    "public-kelurahan": (
        "phone_page",
        None,
        lambda w: f"/publik/{w.rt.rw.kelurahan.code}/",
    ),
    "public-spending": (
        "phone_page",
        None,
        lambda w: f"/publik/{w.rt.rw.kelurahan.code}/anggaran/",
    ),
    "home-resident": ("phone_page", "resident_user", lambda w: "/"),
    "offline-queue": ("phone_page", "resident_user", lambda w: "/luring/antrean/"),
    "proposal-list": ("phone_page", "resident_user", lambda w: "/perancangan/"),
    "proposal-detail": (
        "phone_page",
        "resident_user",
        lambda w: f"/perancangan/usulan/{w.proposal.pk}/",
    ),
    "voting-round": (
        "phone_page",
        "resident_user",
        lambda w: f"/perancangan/putaran/{w.voting_round.pk}/",
    ),
    "evaluation-form": (
        "phone_page",
        "resident_user",
        lambda w: f"/evaluasi/kegiatan/{w.delivered.pk}/nilai/",
    ),
    "evaluation-summary": (
        "phone_page",
        "resident_user",
        lambda w: f"/evaluasi/kegiatan/{w.delivered.pk}/",
    ),
    "notifications-resident": ("phone_page", "resident_user", lambda w: "/notifikasi/"),
    "notification-settings": (
        "phone_page",
        "resident_user",
        lambda w: "/notifikasi/pengaturan/",
    ),
    "resident-list": ("desktop_page", "officer", lambda w: "/warga/"),
    "notifications-officer": ("desktop_page", "officer", lambda w: "/notifikasi/"),
    "profile-officer": ("desktop_page", "officer", lambda w: "/accounts/profil/"),
    "scorecard": ("desktop_page", "officer", lambda w: f"/evaluasi/skor/rt/{w.rt.pk}/"),
}


def _describe(violations) -> str:
    return "\n".join(
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_or_critical_axe_violation(name, request, live_server):
    viewport, who, path = PAGES[name]
    world = _world()
    page = request.getfixturevalue(viewport)
    if who:
        log_in(page, live_server, getattr(world, who))
    requested = []
    page.on("request", lambda req: requested.append(req.url))

    response = page.goto(live_server.url + path(world))
    page.wait_for_load_state("load")
    assert response.status == 200, f"{name}: {response.status} at {response.url}"
    results = Axe().run(page)

    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{name} ({path(world)}):\n{_describe(blocking)}"
    assert all(url.startswith(live_server.url) for url in requested), requested
