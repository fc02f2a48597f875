"""Notifications: the one writer, marking read, the list page and the bell."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rtkeren.models import Notification
from rtkeren.services.notifications import notification_mark_read, notification_send
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("notification-list")
# Any page shows the bell; this one reads notifications for nothing else.
PAGE = reverse("activity-list")


def send(recipient, message="Usulan Anda disetujui.", url="", **fields):
    notification = notification_send(recipients=[recipient], message=message, url=url)[0]
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
    return notification


# The service.


def test_send_reads_choices_and_writes_one_row_per_recipient_in_one_insert(
    officer, rt_chair, resident_user
):
    activity = factories.ActivityFactory()
    ContentType.objects.get_for_model(activity)  # cached, as after the first use in a process

    with CaptureQueriesContext(connection) as queries:
        sent = notification_send(
            recipients=[officer, rt_chair, resident_user, officer],
            message="Rapat RT malam ini.",
            url="/kegiatan/",
            subject=activity,
        )

    # The recipients' channel choices for the kind, their phone consents, one insert.
    assert [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]] == [
        "SELECT",
        "SELECT",
        "INSERT",
    ]
    assert len(sent) == 3
    rows = Notification.objects.order_by("recipient__username")
    assert [row.recipient for row in rows] == [rt_chair, officer, resident_user]
    assert {row.subject for row in rows} == {activity}
    assert {row.url for row in rows} == {"/kegiatan/"}
    assert all(row.read_at is None for row in rows)


def test_a_lazy_message_is_rendered_in_each_recipients_language(officer, resident_user):
    resident_user.language = "en"
    resident_user.save()

    notification_send(recipients=[officer, resident_user], message=_("Approved"))

    sent = dict(Notification.objects.values_list("recipient__username", "message"))
    assert sent == {"petugas": "Disetujui", "warga": "Approved"}


def test_a_callable_message_is_rendered_in_each_recipients_language(officer, resident_user):
    resident_user.language = "en"
    resident_user.save()

    notification_send(
        recipients=[officer, resident_user],
        message=lambda: gettext("The activity is now: %(status)s.") % {"status": gettext("Draft")},
    )

    sent = dict(Notification.objects.values_list("recipient__username", "message"))
    assert sent == {
        "petugas": "Status kegiatan kini: Draf.",
        "warga": "The activity is now: Draft.",
    }


def test_a_long_message_is_cut_to_fit(officer):
    notification_send(recipients=[officer], message="panjang " * 100)

    message = Notification.objects.get().message
    assert len(message) == 500
    assert message.endswith("…")


def test_mark_read_all_or_some_and_never_anothers(officer, resident_user):
    first, second = send(officer), send(officer)
    foreign = send(resident_user)

    assert notification_mark_read(user=officer, notifications=[first, foreign]) == 1
    assert Notification.objects.unread().filter(recipient=officer).get() == second
    assert notification_mark_read(user=officer) == 1
    assert notification_mark_read(user=officer) == 0
    foreign.refresh_from_db()
    assert foreign.read_at is None


# The list page.


def test_list_needs_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_list_shows_own_notifications_unread_first_without_marking_them(client, resident_user):
    old_unread = send(resident_user, "Lama belum dibaca")
    send(resident_user, "Baru sudah dibaca", read_at=timezone.now())
    new_unread = send(resident_user, "Baru belum dibaca")
    send(factories.UserFactory(), "Punya orang lain")
    client.force_login(resident_user)

    response = client.get(LIST)

    assert response.status_code == 200
    page = list(response.context["notifications"])
    assert [n.message for n in page] == [
        "Baru belum dibaca",
        "Lama belum dibaca",
        "Baru sudah dibaca",
    ]
    assert "Punya orang lain" not in response.text
    assert response.text.count("notification-unread") == 2
    assert Notification.objects.filter(pk__in=[old_unread.pk, new_unread.pk]).unread().count() == 2


def test_list_paginates_by_25(client, resident_user):
    for number in range(30):
        send(resident_user, f"Pesan {number}")
    client.force_login(resident_user)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["notifications"]) == 25
    assert len(second.context["notifications"]) == 5
    assert "Halaman 1 dari 2" in first.text


def test_list_query_count_does_not_grow(client, resident_user):
    # Logged in first: each list below is asked after notifications were sent to the person,
    # which renews what the cache holds for them.
    client.force_login(resident_user)
    send(resident_user)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _number in range(20):
        send(resident_user, url="/kegiatan/")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)

    assert len(response.context["notifications"]) == 21
    assert len(many) == len(one)


def test_mark_all_read(client, resident_user):
    send(resident_user)
    send(resident_user)
    other = send(factories.UserFactory())
    client.force_login(resident_user)

    response = client.post(reverse("notification-read-all"), follow=True)

    assert response.redirect_chain[-1][0] == LIST
    assert "Semua notifikasi sudah ditandai dibaca." in response.text
    assert not Notification.objects.filter(recipient=resident_user).unread().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_needs_post(client, resident_user):
    client.force_login(resident_user)

    assert client.get(reverse("notification-read-all")).status_code == 405


def test_open_marks_it_read_and_follows_a_local_link(client, resident_user):
    notification = send(resident_user, url="/kegiatan/12/")
    client.force_login(resident_user)

    response = client.post(reverse("notification-read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == "/kegiatan/12/"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("url", ["https://contoh.example/phish", "//contoh.example/", ""])
def test_open_never_leaves_the_portal(client, resident_user, url):
    notification = send(resident_user, url=url)
    client.force_login(resident_user)

    response = client.post(reverse("notification-read", args=[notification.pk]))

    assert response.status_code == 302
    assert response.url == LIST


def test_anothers_notification_is_not_found(client, resident_user, officer):
    notification = send(officer, url="/kegiatan/")
    client.force_login(resident_user)

    response = client.post(reverse("notification-read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_open_needs_post(client, resident_user):
    notification = send(resident_user)
    client.force_login(resident_user)

    assert client.get(reverse("notification-read", args=[notification.pk])).status_code == 405


# The bell.


def test_bell_shows_the_unread_count(client, resident_user):
    send(resident_user)
    send(resident_user)
    send(resident_user, read_at=timezone.now())
    send(factories.UserFactory())
    client.force_login(resident_user)

    page = client.get(PAGE).text

    assert f'href="{LIST}">Notifikasi <span class="badge' in page
    assert '>2<span class="visually-hidden"> belum dibaca</span>' in page


def test_bell_has_no_badge_when_all_is_read(client, resident_user):
    send(resident_user, read_at=timezone.now())
    client.force_login(resident_user)

    page = client.get(PAGE).text

    assert f'href="{LIST}">Notifikasi</a>' in page
    assert "belum dibaca" not in page


def test_bell_is_not_shown_to_visitors(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Masuk" in response.text
    assert LIST not in response.text


def _bell_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(PAGE).text
    return page, [q["sql"] for q in queries if 'FROM "rtkeren_notification"' in q["sql"]]


def _badge(page: str) -> str | None:
    """The number on the bell, or None without a badge."""
    marker = '<span class="visually-hidden"> belum dibaca</span>'
    if marker not in page:
        return None
    return page.split(marker)[0].rsplit(">", 1)[1]


def test_bell_costs_one_query_then_none(client, resident_user):
    client.force_login(resident_user)
    send(resident_user)

    first, counted = _bell_queries(client)
    assert len(counted) == 1
    assert "COUNT(" in counted[0]
    assert _badge(first) == "1"

    # Every page shows the bell: the next ones read the count from the person's cache.
    second, counted = _bell_queries(client)
    assert counted == []
    assert _badge(second) == "1"


def test_logging_in_counts_the_bell_for_the_pages_that_follow(client, resident_user):
    send(resident_user)
    send(resident_user)
    client.post(
        reverse("login"), {"username": resident_user.username, "password": factories.PASSWORD}
    )

    page, counted = _bell_queries(client)

    assert counted == []
    assert _badge(page) == "2"


def test_bell_counts_a_new_notification_on_the_next_page(client, resident_user):
    send(resident_user)
    client.force_login(resident_user)
    assert _badge(client.get(PAGE).text) == "1"

    send(resident_user)

    assert _badge(client.get(PAGE).text) == "2"


def test_a_notification_to_someone_else_leaves_the_bell_cached(client, resident_user):
    send(resident_user)
    client.force_login(resident_user)
    client.get(PAGE)

    send(factories.UserFactory())
    page, counted = _bell_queries(client)

    assert counted == []
    assert _badge(page) == "1"


def test_bell_drops_what_was_marked_read_on_the_next_page(client, resident_user):
    first = send(resident_user)
    send(resident_user)
    send(resident_user)
    client.force_login(resident_user)
    assert _badge(client.get(PAGE).text) == "3"

    client.post(reverse("notification-read", args=[first.pk]))
    assert _badge(client.get(PAGE).text) == "2"

    client.post(reverse("notification-read-all"))
    assert _badge(client.get(PAGE).text) is None


def test_bell_follows_a_notification_saved_or_deleted_one_by_one(client, resident_user):
    first = send(resident_user)
    second = send(resident_user)
    client.force_login(resident_user)
    assert _badge(client.get(PAGE).text) == "2"

    # As the admin changes one: a plain save.
    notification = Notification.objects.get(pk=first.pk)
    notification.read_at = timezone.now()
    notification.save()
    assert _badge(client.get(PAGE).text) == "1"

    Notification.objects.get(pk=second.pk).delete()
    assert _badge(client.get(PAGE).text) is None

    Notification.objects.create(recipient=resident_user, message="Dari admin")
    assert _badge(client.get(PAGE).text) == "1"
