"""The home page: the public introduction, or what needs the logged-in person's attention."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren import registry, scopes
from rtkeren.models import Notification, Resident, Role
from rtkeren.registry import AttentionItem, Priority
from rtkeren.scopecache import person_changed
from rtkeren.services.notifications import notification_send
from tests import factories

pytestmark = pytest.mark.django_db

WAITING = "Warga menunggu verifikasi"
UNREAD = "Notifikasi belum dibaca"


def pending_residents(rt, count: int) -> list[Resident]:
    return factories.ResidentFactory.create_batch(
        count, rt=rt, verification=Resident.Verification.PENDING
    )


def notify(user, count: int, *, read: bool = False) -> None:
    Notification.objects.bulk_create(
        Notification(recipient=user, message=f"Pesan {n}", read_at=timezone.now() if read else None)
        for n in range(count)
    )


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def attention_of(page: str) -> str:
    """The "needs your attention" section of the page."""
    start = page.index('id="attention-heading"')
    return page[start : page.index("</section>", start)]


def test_anonymous_visitors_see_the_introduction_only(client):
    page = client.get(reverse("home")).text

    assert "Portal RT Keren" in page
    assert 'class="stages' in page
    assert "Perlu perhatian Anda" not in page
    assert "Peran Anda" not in page


def test_rt_chair_sees_the_residents_waiting_in_their_rt(client, rt_chair, rt, other_rt):
    pending_residents(rt, 3)
    pending_residents(other_rt, 2)

    section = attention_of(home(client, rt_chair).text)

    assert WAITING in section
    assert f'href="{reverse("verification-list")}"' in section
    assert ">3<" in section


def test_officer_sees_the_residents_waiting_in_the_whole_kelurahan(
    client, officer, rt, other_rt, foreign_rt
):
    pending_residents(rt, 3)
    pending_residents(other_rt, 2)
    pending_residents(foreign_rt, 4)

    section = attention_of(home(client, officer).text)

    assert WAITING in section
    assert ">5<" in section


@pytest.mark.parametrize(
    "persona", ["other_rt_chair", "foreign_officer", "resident_user", "facilitator", "rw_chair"]
)
def test_others_do_not_see_residents_waiting_elsewhere(client, request, persona, rt):
    pending_residents(rt, 3)
    user = request.getfixturevalue(persona)

    page = home(client, user).text

    assert WAITING not in page
    assert "Saat ini tidak ada yang perlu Anda tindak lanjuti." in page


def test_unread_notifications_are_counted_for_their_recipient_only(client, resident_user, outsider):
    notify(resident_user, 2)
    notify(resident_user, 5, read=True)
    notify(outsider, 4)

    section = attention_of(home(client, resident_user).text)

    assert UNREAD in section
    assert f'href="{reverse("notification-list")}"' in section
    assert ">2<" in section


@pytest.mark.parametrize(
    ("persona", "labels"),
    [
        ("rt_chair", ["Ketua RT 002 / RW 007, Blitar", "Warga RT 002 / RW 007, Blitar"]),
        ("officer", ["Petugas Kelurahan Blitar"]),
        ("facilitator", ["Pendamping Kelurahan Blitar"]),
        ("rw_chair", ["Ketua RW 007, Blitar"]),
        ("pokmas_member", ["Anggota Pokmas RT 002 / RW 007, Blitar"]),
        ("community_lead", ["Ketua Sanggar Kampung Budaya"]),
        ("city_viewer", ["Pemantau kota, Kota Blitar"]),
        ("outsider", ["Warga RT 001 / RW 001, Pakunden"]),
        ("admin_user", ["Administrator"]),
    ],
)
def test_the_page_names_the_persons_roles(client, request, persona, labels):
    page = home(client, request.getfixturevalue(persona)).text

    for label in labels:
        assert f"<li>{label}</li>" in page


def test_a_person_without_a_role_is_told_so(client):
    page = home(client, factories.UserFactory()).text

    assert "Anda belum memiliki peran di portal ini." in page


def test_quick_links_follow_the_roles(client, rt_chair, resident_user):
    chair_page = home(client, rt_chair).text
    resident_page = home(client, resident_user).text

    verification = f'<li><a href="{reverse("verification-list")}">Verifikasi warga</a></li>'
    residents = f'<li><a href="{reverse("resident-list")}">'
    assert verification in chair_page
    assert residents in chair_page
    assert verification not in resident_page
    assert residents not in resident_page
    assert f'<li><a href="{reverse("account-profile")}">Profil saya</a></li>' in resident_page


@pytest.mark.parametrize("persona", ["rt_chair", "officer", "resident_user"])
def test_the_number_of_queries_does_not_grow_with_the_data(client, request, persona, rt):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    pending_residents(rt, 1)
    notify(user, 1)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))

    pending_residents(rt, 40)
    notify(user, 60)
    other = factories.RTFactory(rw=rt.rw, number=9)
    pending_residents(other, 10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))

    assert response.status_code == 200
    # Session, user, assignments, the role labels' places, the bell, and one or two counts for
    # each app's attention items: a fixed number whatever the data.
    assert len(few) <= 20
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_number_of_queries_does_not_grow_with_the_number_of_roles(client, rt_chair, rt):
    client.force_login(rt_chair)
    person_changed(rt_chair.pk)  # both requests read the assignments from the database
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for number in range(3, 8):
        other = factories.RTFactory(
            rw=factories.RWFactory(kelurahan=rt.rw.kelurahan, number=number), number=1
        )
        factories.RoleAssignmentFactory(user=rt_chair, role=Role.RESIDENT, rt=other)
        factories.RoleAssignmentFactory(user=rt_chair, role=Role.RT_CHAIR, rt=other)

    with CaptureQueriesContext(connection) as several:
        page = client.get(reverse("home")).text

    assert page.count("<li>Warga RT 00") == 6
    assert page.count("<li>Ketua RT 00") == 6
    assert len(several) == len(one)


# A provider registered by a test, as a stage app would from its attention.py.

VOTING = "Pemungutan suara RT Anda sedang dibuka"


def voting_reminder(user):
    rts = scopes.rt_ids(user, Role.RESIDENT)
    if not rts:
        return []
    return [
        AttentionItem(title=VOTING, text="Tutup besok", url="/kegiatan/"),
        AttentionItem(title="Tidak ada apa-apa", count=0),
        AttentionItem(title="Sangat mendesak", count=1, priority=Priority.HIGH),
    ]


@pytest.fixture
def registered_provider():
    registry.attention.register("test-voting", order=50)(voting_reminder)
    yield
    registry.attention.unregister("test-voting")


def test_a_registered_item_shows_for_the_right_user_only(
    client, registered_provider, resident_user, officer
):
    resident_section = attention_of(home(client, resident_user).text)
    officer_section = attention_of(home(client, officer).text)

    assert f'<a href="/kegiatan/" class="stretched-link">{VOTING}</a>' in resident_section
    assert "Tutup besok" in resident_section
    assert VOTING not in officer_section


def test_empty_items_are_left_out_and_urgent_ones_come_first(
    client, registered_provider, resident_user
):
    section = attention_of(home(client, resident_user).text)

    assert "Tidak ada apa-apa" not in section
    assert section.index("Sangat mendesak") < section.index(VOTING)
    assert "<span>Sangat mendesak</span>" in section


def test_a_provider_cannot_be_registered_twice(registered_provider):
    with pytest.raises(ValueError, match="twice"):
        registry.attention.register("test-voting")(voting_reminder)


def test_an_unknown_url_name_gives_no_link():
    assert registry.url_or_empty("no-such-page") == ""
    assert registry.url_or_empty("home") == "/"


def test_unread_notifications_are_counted_once_for_the_bell_and_the_attention_item(
    client, resident_user
):
    # Sent through the service after logging in (which counts them), so that this page counts
    # them again.
    client.force_login(resident_user)
    for number in range(3):
        notification_send(recipients=[resident_user], message=f"Pesan {number}")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("home")).content.decode()

    counts = [
        query["sql"]
        for query in queries.captured_queries
        if "COUNT(" in query["sql"].upper() and Notification._meta.db_table in query["sql"]
    ]
    assert len(counts) == 1, counts
    assert UNREAD in page
    assert '<span class="badge rounded-pill text-bg-warning">3<' in page
