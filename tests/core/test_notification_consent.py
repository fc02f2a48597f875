"""Choices and consent decide where notifications go; withdrawing consent for WhatsApp or SMS
stops that channel's messages at once, and keeps the phone number."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from rtkeren.channels import console
from rtkeren.models import Channel, Consent, NotificationKind, OutboundMessage, User
from rtkeren.selectors.notifications import channel_choices
from rtkeren.services.messages import message_queue, outbound_messages_dispatch
from rtkeren.services.preferences import notification_preferences_update
from rtkeren.services.privacy import consent_give, consent_withdraw
from tests import factories

pytestmark = pytest.mark.django_db

PHONE = "+6281234567890"
DAYTIME = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
QUEUED, HELD = OutboundMessage.Status.QUEUED, OutboundMessage.Status.HELD


@pytest.fixture
def person(resident_user, resident):
    resident.phone = PHONE
    resident.save(update_fields=["phone"])
    User.objects.filter(pk=resident_user.pk).update(email="warga@example.com")
    resident_user.refresh_from_db()
    return resident_user


def _queue(user, channel, *, held=False, text="Forum RT besok"):
    return message_queue(
        user=user,
        channel=channel,
        kind=NotificationKind.FORUM,
        address=PHONE if channel != Channel.EMAIL else user.email,
        text=text,
        hold_for_digest=held,
    )


# Choices and channel_choices.


def test_choices_change_where_a_notification_goes(person):
    assert channel_choices([person], NotificationKind.FORUM)[person.pk] == {
        Channel.BELL: "",
        Channel.EMAIL: "warga@example.com",
    }

    notification_preferences_update(
        user=person,
        enabled={("forum", "whatsapp"), ("forum", "email"), ("vote", "bell")},
        digest=False,
        consent_to=["whatsapp"],
    )

    assert channel_choices([person], NotificationKind.FORUM)[person.pk] == {
        Channel.EMAIL: "warga@example.com",
        Channel.WHATSAPP: PHONE,
    }
    assert channel_choices([person], NotificationKind.VOTE)[person.pk] == {Channel.BELL: ""}
    # Account messages always ring the bell, whatever was chosen.
    assert Channel.BELL in channel_choices([person], NotificationKind.ACCOUNT)[person.pk]


def test_whatsapp_without_consent_is_refused_and_nothing_changes(person):
    with pytest.raises(ValidationError) as refused:
        notification_preferences_update(
            user=person, enabled={("forum", "bell"), ("forum", "whatsapp")}, digest=True
        )

    assert refused.value.code == "consent"
    assert not person.notification_preferences.exists()
    assert not Consent.objects.exists()
    person.refresh_from_db()
    assert not person.notification_digest


def test_a_refusal_after_consent_was_ticked_records_no_consent(person):
    """All or nothing: the SMS consent ticked in the same form is not kept when WhatsApp is
    refused."""
    with pytest.raises(ValidationError):
        notification_preferences_update(
            user=person,
            enabled={("forum", "whatsapp"), ("forum", "sms")},
            digest=False,
            consent_to=["sms"],
        )

    assert not Consent.objects.exists()
    assert not person.notification_preferences.exists()


def test_withdrawing_consent_stops_that_channel_in_channel_choices(person):
    notification_preferences_update(
        user=person, enabled={("forum", "sms")}, digest=False, consent_to=["sms"]
    )
    assert Channel.SMS in channel_choices([person], NotificationKind.FORUM)[person.pk]

    consent_withdraw(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)

    assert Channel.SMS not in channel_choices([person], NotificationKind.FORUM)[person.pk]


# Withdrawal cancels what waits to be sent.


def test_withdrawal_cancels_queued_and_held_messages_of_that_channel_only(person, rt):
    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    neighbour, neighbour_entry = factories.make_resident_user(rt, "tetangga", phone=PHONE[:-1])
    consent_give(resident=neighbour_entry, purpose=Consent.Purpose.WHATSAPP, by=neighbour)
    queued = _queue(person, Channel.WHATSAPP)
    held = _queue(person, Channel.WHATSAPP, held=True)
    sent = _queue(person, Channel.WHATSAPP)
    OutboundMessage.objects.filter(pk=sent.pk).update(status=OutboundMessage.Status.SENT)
    by_sms = _queue(person, Channel.SMS)
    neighbours = _queue(neighbour, Channel.WHATSAPP)

    consent_withdraw(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)

    status = dict(OutboundMessage.objects.values_list("pk", "status"))
    assert status[queued.pk] == OutboundMessage.Status.CANCELLED
    assert status[held.pk] == OutboundMessage.Status.CANCELLED
    assert status[sent.pk] == OutboundMessage.Status.SENT
    assert status[by_sms.pk] == QUEUED
    assert status[neighbours.pk] == QUEUED
    person.resident.refresh_from_db()
    assert person.resident.phone == PHONE


def test_a_message_queued_before_withdrawal_is_never_sent(person):
    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    with time_machine.travel(DAYTIME, tick=False):
        _queue(person, Channel.WHATSAPP, text="Lewat WhatsApp")
        _queue(person, Channel.SMS, text="Lewat SMS")

        consent_withdraw(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
        outbound_messages_dispatch()

    assert [message["text"] for message in console.outbox] == ["Lewat SMS"]
    assert OutboundMessage.objects.get(channel=Channel.WHATSAPP).status == "cancelled"


def test_the_sender_checks_consent_again_for_a_message_it_finds_waiting(person):
    """Even a message the withdrawal did not cancel (its row changed after, say) is not sent."""
    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    with time_machine.travel(DAYTIME, tick=False):
        message = _queue(person, Channel.WHATSAPP)
        consent_withdraw(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
        OutboundMessage.objects.filter(pk=message.pk).update(status=QUEUED)
        outbound_messages_dispatch()

    assert console.outbox == []
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.CANCELLED


def test_withdrawing_the_phone_number_cancels_both_phone_channels(person):
    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    _queue(person, Channel.WHATSAPP)
    _queue(person, Channel.SMS, held=True)

    consent_withdraw(resident=person.resident, purpose=Consent.Purpose.PHONE, by=person)

    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"cancelled"}
    person.resident.refresh_from_db()
    assert person.resident.phone == ""


# Data Saya.


def test_data_saya_lists_whatsapp_and_sms_consents_and_withdraws_them(client, person):
    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    _queue(person, Channel.WHATSAPP)
    client.force_login(person)

    page = client.get(reverse("data-saya")).content.decode()
    assert 'name="purpose" value="whatsapp"' in page
    assert 'name="purpose" value="sms"' in page

    response = client.post(
        reverse("consent-change"), {"purpose": "whatsapp", "action": "withdraw"}, follow=True
    )

    assert response.status_code == 200
    assert not Consent.objects.in_force().exists()
    assert OutboundMessage.objects.get().status == OutboundMessage.Status.CANCELLED
    person.resident.refresh_from_db()
    assert person.resident.phone == PHONE
