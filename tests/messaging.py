"""Helpers for the tests of messages outside the portal: the WIB clock and residents who get
WhatsApp messages."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from rtkeren.channels import console
from rtkeren.models import Consent, NotificationKind, OutboundMessage
from rtkeren.services.privacy import consent_give
from tests import factories

WIB = ZoneInfo("Asia/Jakarta")


def wib(day: int, hour: int = 9, minute: int = 0, month: int = 12, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=WIB)


def at(moment: datetime.datetime):
    """The clock stands still at ``moment``."""
    return time_machine.travel(moment, tick=False)


def whatsapp_resident(rt, username: str, phone: str):
    """A verified resident of ``rt`` with an account, a phone and consent to WhatsApp."""
    user, resident = factories.make_resident_user(rt, username, phone=phone)
    consent_give(resident=resident, purpose=Consent.Purpose.WHATSAPP, by=user)
    return user


def whatsapp_to(phone: str) -> list[dict]:
    """What the in-memory WhatsApp adapter sent to ``phone``, in order."""
    return [m for m in console.outbox if m["channel"] == "whatsapp" and m["to"] == phone]


def phone_messages(kind: str = NotificationKind.FORUM):
    return OutboundMessage.objects.filter(kind=kind).order_by("pk")
