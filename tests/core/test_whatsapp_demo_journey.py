"""The demo's resident opts in to WhatsApp on the notification settings, and a fake WhatsApp
Cloud API on this machine receives, each once: the forum invitation when the RT chair
schedules a forum, the reminder the day before it, and the reminder the morning the RT's voting
round closes; nothing between 21.00 and 06.00 WIB. The scheduler runs every hour, twice each
time (the second run starts from the database alone, as after a restart)."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from werkzeug import Response

from commissioning.models import Element
from commissioning.services import forum_schedule
from designing.models import VotingRound
from rtkeren.models import Activity, ActivityStatus, Channel, NotificationKind, Period, User
from rtkeren.services.preferences import notification_preferences_update
from tests.messaging import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]

NUMBER_ID = "1098765432"
PATH = f"/v26.0/{NUMBER_ID}/messages"


@pytest.fixture
def cloud_api(settings, httpserver):
    """The real WhatsApp adapter, pointed at a fake Cloud API that accepts every message."""
    settings.MESSAGE_ADAPTERS = {
        **settings.MESSAGE_ADAPTERS,
        "whatsapp": "rtkeren.channels.whatsapp.WhatsAppCloudAdapter",
    }
    settings.WHATSAPP_API_URL = httpserver.url_for("/")
    settings.WHATSAPP_API_VERSION = "v26.0"
    settings.WHATSAPP_PHONE_NUMBER_ID = NUMBER_ID
    settings.WHATSAPP_ACCESS_TOKEN = "token-uji"
    counter = iter(range(1, 1000))
    httpserver.expect_request(PATH, method="POST").respond_with_handler(
        lambda request: Response(
            json.dumps(
                {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{next(counter)}"}]}
            ),
            content_type="application/json",
        )
    )
    return httpserver


TODAY = datetime.date.today()


def local_day(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment ``days`` after the day the tests started, in WIB (the clock is moved)."""
    return timezone.make_aware(
        datetime.datetime.combine(
            TODAY + datetime.timedelta(days=days), datetime.time(hour, minute)
        )
    )


def test_the_demo_resident_gets_the_forum_and_vote_on_whatsapp(
    cloud_api, django_capture_on_commit_callbacks
):
    warga = User.objects.select_related("resident__rt__rw").get(username="warga")
    resident = warga.resident
    assert resident.phone.startswith("+62")
    chair = User.objects.get(username="ketua_rt")
    officer = User.objects.get(username="petugas")
    rt = resident.rt
    received: list[tuple[datetime.datetime, dict]] = []

    def collect(moment):
        for request, _response in cloud_api.log[len(received) :]:
            received.append(
                (moment, {**json.loads(request.data), "auth": request.headers["Authorization"]})
            )

    with at(local_day(1, 8)):
        # What the settings page does when the resident ticks WhatsApp for forums and votes.
        notification_preferences_update(
            user=warga,
            enabled=[(kind, Channel.BELL) for kind in NotificationKind.values if kind != "account"]
            + [
                (NotificationKind.FORUM, Channel.WHATSAPP),
                (NotificationKind.VOTE, Channel.WHATSAPP),
            ],
            digest=False,
            consent_to=[Channel.WHATSAPP],
        )
        period = (
            Period.objects.filter(
                starts_on__lte=timezone.localdate(), ends_on__gte=timezone.localdate()
            ).first()
            or Period.objects.order_by("-starts_on").first()
        )
        voting_round = VotingRound.objects.create(
            title="Pemilihan usulan tambahan",
            period=period,
            kelurahan=rt.rw.kelurahan,
            rt=rt,
            opens_at=local_day(1, 8),
            closes_at=local_day(4, 12),
            votes_per_resident=1,
            opened_by=officer,
            created_at=local_day(1, 8),
        )
        voting_round.proposals.add(
            Activity.objects.filter(rt=rt, status=ActivityStatus.PROPOSED).first()
            or Activity.objects.filter(rt=rt).first()
        )
    with at(local_day(1, 10)), django_capture_on_commit_callbacks(execute=True):
        forum_schedule(
            by=chair,
            place=rt,
            title="Musyawarah kerja bakti",
            date=(local_day(3, 0)).date(),
            starts_at=datetime.time(19, 30),
            place_name="Balai RT",
            agenda="Rencana kerja bakti saluran.",
            invited=[Element.GENERAL],
        )
    collect(local_day(1, 10))

    moment = local_day(1, 11)
    while moment <= local_day(4, 23):
        with at(moment):
            call_command("scheduler", "--once")
            call_command("scheduler", "--once")
        collect(moment)
        moment += datetime.timedelta(hours=1)

    to_warga = [(m, body) for m, body in received if body["to"] == resident.phone]
    templates = [
        (
            timezone.localtime(m).strftime("%d %H"),
            body["template"]["name"],
            body["template"]["components"][0]["parameters"][0]["text"],
        )
        for m, body in to_warga
    ]
    invitation = [
        t for t in templates if "Musyawarah kerja bakti" in t[2] and t[1] == "rtkeren_pemberitahuan"
    ]
    day_before = [t for t in templates if t[1] == "rtkeren_pengingat_forum"]
    voting = [
        t
        for t in templates
        if t[1] == "rtkeren_pengingat_voting" and "Pemilihan usulan tambahan" in t[2]
    ]
    assert len(invitation) == 1, templates
    assert invitation[0][0] == timezone.localtime(local_day(1, 10)).strftime("%d %H")
    assert day_before == [
        (
            timezone.localtime(local_day(2, 6)).strftime("%d %H"),
            "rtkeren_pengingat_forum",
            "Musyawarah kerja bakti",
        )
    ]
    assert len(voting) == 1
    assert voting[0][0] == timezone.localtime(local_day(4, 6)).strftime("%d %H")
    # Nothing at night, everything in Indonesian templates, with the bearer token.
    assert all(6 <= timezone.localtime(m).hour < 21 for m, _body in to_warga)
    assert {body["template"]["language"]["code"] for _m, body in to_warga} == {"id"}
    assert {body["auth"] for _m, body in to_warga} == {"Bearer token-uji"}
