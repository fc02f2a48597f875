"""notification_send follows each recipient's choice of channels for the notification's kind."""

import pytest
from django.core import mail

from rtkeren.models import (
    Channel,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboundMessage,
)
from rtkeren.services.notifications import notification_send
from tests import factories
from tests.messaging import whatsapp_resident

pytestmark = pytest.mark.django_db

PHONE = "+6281234500041"


def choose(user, channel, kind, enabled=False):
    NotificationPreference.objects.create(user=user, channel=channel, kind=kind, enabled=enabled)


def test_whatsapp_goes_only_to_those_whose_consent_is_in_force(rt, resident_user):
    wants = whatsapp_resident(rt, "mau_wa", PHONE)

    notification_send(recipients=[wants, resident_user], message="Rapat RT.", url="/forum/1/")

    [message] = OutboundMessage.objects.all()
    assert (message.user, message.channel, message.address) == (wants, Channel.WHATSAPP, PHONE)
    assert message.template == "rtkeren_pemberitahuan"
    assert message.parameters[0] == "Rapat RT."
    assert message.parameters[1].endswith("/forum/1/")
    assert message.status == OutboundMessage.Status.QUEUED


def test_the_kind_is_kept_and_a_kind_turned_off_sends_no_whatsapp(rt):
    user = whatsapp_resident(rt, "mau_wa", PHONE)
    choose(user, Channel.WHATSAPP, NotificationKind.FORUM)

    notification_send(recipients=[user], message="Forum", kind=NotificationKind.FORUM)
    notification_send(recipients=[user], message="Voting", kind=NotificationKind.VOTE)

    assert [m.kind for m in OutboundMessage.objects.all()] == [NotificationKind.VOTE]
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["forum", "vote"]


def test_with_the_bell_off_the_notification_is_kept_already_read_but_account_ones_ring(
    resident_user,
):
    choose(resident_user, Channel.BELL, NotificationKind.FORUM)
    choose(resident_user, Channel.BELL, NotificationKind.ACCOUNT)

    [quiet] = notification_send(recipients=[resident_user], message="a", kind="forum")
    [rings] = notification_send(recipients=[resident_user], message="b", kind="account")

    assert quiet.read_at is not None
    assert rings.read_at is None


def test_a_template_given_is_used_with_its_parameters(rt):
    user = whatsapp_resident(rt, "mau_wa", PHONE)

    notification_send(
        recipients=[user],
        message="Pengingat",
        kind=NotificationKind.FORUM,
        template="rtkeren_pengingat_forum",
        template_parameters=("Musyawarah", "10 Des. 2026", "19.30", "Balai RT"),
    )

    message = OutboundMessage.objects.get()
    assert message.template == "rtkeren_pengingat_forum"
    assert message.parameters == ["Musyawarah", "10 Des. 2026", "19.30", "Balai RT"]


def test_for_a_digest_the_email_and_whatsapp_are_held(rt, django_capture_on_commit_callbacks):
    user = whatsapp_resident(rt, "ringkasan", PHONE)
    user.email, user.notification_digest = "ringkasan@example.com", True
    user.save()
    other = factories.UserFactory(email="biasa@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[user, other], message="Rapat RT.")

    held = OutboundMessage.objects.filter(user=user, status=OutboundMessage.Status.HELD)
    assert sorted(held.values_list("channel", flat=True)) == ["email", "whatsapp"]
    assert [m.to for m in mail.outbox] == [["biasa@example.com"]]
