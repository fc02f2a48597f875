"""The outgoing messages page: the officers of the kelurahan see its residents' WhatsApp and SMS
messages, failed ones first, without their full numbers, and send a failed one again."""

import datetime

import pytest
from django.contrib.messages import constants
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import Channel, NotificationKind, OutboundMessage, Role
from rtkeren.phone import masked_phone
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("outbound-message-list")
PHONE = "+6281234567890"


def message_to(rt, *, status=OutboundMessage.Status.SENT, name="Siti Aminah", **fields):
    user = factories.make_user_with_role(Role.RESIDENT, rt=rt)
    factories.ResidentFactory(rt=rt, user=user, name=name, phone=PHONE)
    defaults = {
        "channel": Channel.WHATSAPP,
        "kind": NotificationKind.FORUM,
        "address": PHONE,
        "text": "RT Keren: musyawarah besok.",
        "status": status,
        "attempts": 1,
    }
    return OutboundMessage.objects.create(user=user, **{**defaults, **fields})


def names(response) -> list[str]:
    return [message.user.resident.name for message in response.context["outbound_messages"]]


# Who may.


def test_the_officer_sees_the_kelurahans_messages_failed_first(client, officer, rt, other_rt):
    now = timezone.now()
    message_to(rt, name="Lama Terkirim", created_at=now - datetime.timedelta(days=2))
    message_to(
        other_rt,
        name="Gagal Kemarin",
        status=OutboundMessage.Status.FAILED,
        channel=Channel.SMS,
        last_error="HTTP 400: nomor tidak valid",
        created_at=now - datetime.timedelta(days=1),
    )
    message_to(rt, name="Baru Terkirim", created_at=now)
    client.force_login(officer)

    response = client.get(LIST)

    assert response.status_code == 200
    assert names(response) == ["Gagal Kemarin", "Baru Terkirim", "Lama Terkirim"]
    page = response.content.decode()
    assert "HTTP 400: nomor tidak valid" in page
    assert (
        reverse("outbound-message-retry", args=[response.context["outbound_messages"][0].pk])
        in page
    )


def test_the_full_number_is_never_shown(client, officer, rt):
    message_to(rt)
    client.force_login(officer)

    page = client.get(LIST).content.decode()

    assert PHONE not in page
    assert PHONE[1:] not in page
    assert "81234567890" not in page
    assert masked_phone(PHONE) in page


def test_the_status_filter(client, officer, rt):
    message_to(rt, name="Terkirim")
    message_to(rt, name="Gagal", status=OutboundMessage.Status.FAILED)
    client.force_login(officer)

    assert names(client.get(LIST, {"status": "failed"})) == ["Gagal"]
    assert names(client.get(LIST, {"status": "sent"})) == ["Terkirim"]
    # An unknown status filters nothing and says so on the form.
    response = client.get(LIST, {"status": "hilang"})
    assert sorted(names(response)) == ["Gagal", "Terkirim"]
    assert response.context["filter_form"].errors


def test_another_kelurahans_messages_are_not_listed(
    client, officer, foreign_officer, rt, foreign_rt
):
    message_to(rt, name="Warga Blitar")
    message_to(foreign_rt, name="Warga Pakunden")

    client.force_login(officer)
    assert names(client.get(LIST)) == ["Warga Blitar"]
    client.force_login(foreign_officer)
    assert names(client.get(LIST)) == ["Warga Pakunden"]


def test_messages_to_accounts_without_a_register_entry_are_not_listed(client, officer, rt):
    OutboundMessage.objects.create(
        user=factories.UserFactory(),
        channel=Channel.SMS,
        kind=NotificationKind.ACCOUNT,
        address=PHONE,
        text="Kode: 123456",
    )
    client.force_login(officer)

    assert names(client.get(LIST)) == []


@pytest.mark.parametrize("persona", ["resident_user", "rt_chair", "rw_chair", "city_viewer"])
def test_others_may_not_see_the_page(client, request, persona, rt):
    message_to(rt)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_page_is_paginated(client, officer, rt):
    for number in range(27):
        message_to(factories.RTFactory(rw=rt.rw, number=100 + number), name=f"Warga {number}")
    client.force_login(officer)

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(first.context["outbound_messages"]) == 25
    assert len(second.context["outbound_messages"]) == 2


def test_the_officers_home_page_links_to_it(client, officer, resident_user):
    client.force_login(officer)
    assert LIST in client.get(reverse("home")).content.decode()
    client.force_login(resident_user)
    assert LIST not in client.get(reverse("home")).content.decode()


def test_the_same_queries_for_one_message_and_many(client, officer, rt, django_assert_num_queries):
    message_to(rt, status=OutboundMessage.Status.FAILED)
    client.force_login(officer)
    client.get(LIST)

    # The session (the account, the officer's roles and the bell's count come from the cache on
    # a later request), the page's count, and the rows with their recipients, register entries,
    # RTs and RWs in one query.
    with django_assert_num_queries(3):
        assert client.get(LIST).status_code == 200
    for number in range(20):
        message_to(
            factories.RTFactory(
                rw=factories.RWFactory(kelurahan=rt.rw.kelurahan), number=number + 10
            ),
            status=OutboundMessage.Status.FAILED if number % 2 else OutboundMessage.Status.SENT,
            channel=Channel.SMS if number % 3 else Channel.WHATSAPP,
        )
    with django_assert_num_queries(3):
        assert len(client.get(LIST).context["outbound_messages"]) == 21


# Sending a failed message again.


def test_the_officer_sends_a_failed_message_again(client, officer, rt, settings):
    message = message_to(rt, status=OutboundMessage.Status.FAILED, attempts=4, last_error="x")
    client.force_login(officer)

    response = client.post(reverse("outbound-message-retry", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.QUEUED
    assert message.attempts == 0
    assert message.last_error == "x"  # until the next try says otherwise


def test_only_a_failed_message_is_sent_again(client, officer, rt):
    message = message_to(rt, status=OutboundMessage.Status.DELIVERED)
    client.force_login(officer)

    response = client.post(reverse("outbound-message-retry", args=[message.pk]), follow=True)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.DELIVERED
    assert [m.level for m in response.context["messages"]] == [constants.ERROR]


@pytest.mark.parametrize("persona", ["foreign_officer", "rt_chair", "resident_user"])
def test_others_may_not_send_it_again(client, request, persona, rt):
    message = message_to(rt, status=OutboundMessage.Status.FAILED)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("outbound-message-retry", args=[message.pk]))

    assert response.status_code in (403, 404)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED


def test_sending_again_is_a_post(client, officer, rt):
    message = message_to(rt, status=OutboundMessage.Status.FAILED)
    client.force_login(officer)

    assert client.get(reverse("outbound-message-retry", args=[message.pk])).status_code == 405


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+6281234567890", "+62 812••••••90"),
        ("+62812345678", "+62 812••••78"),
        ("+6531234567", "+65 312•••67"),
        ("", ""),
        ("bukan nomor", "•••"),
    ],
)
def test_a_masked_number_keeps_the_prefix_and_two_digits(number, shown):
    assert masked_phone(number) == shown


def test_a_message_stopped_by_a_withdrawn_consent_says_so_in_the_officers_language(
    client, officer, rt
):
    from rtkeren.models.notifications import CONSENT_WITHDRAWN

    message_to(rt, status=OutboundMessage.Status.CANCELLED, last_error=CONSENT_WITHDRAWN)
    client.force_login(officer)
    page = client.get(LIST).content.decode()
    assert "Warga telah menarik persetujuannya untuk saluran ini." in page
    assert CONSENT_WITHDRAWN not in page
