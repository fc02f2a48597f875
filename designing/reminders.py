"""The reminders co-designing sends (``reminder_providers``): a voting round that was
scheduled ahead has opened, and the morning a round closes."""

import datetime

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rtkeren.models import NotificationKind
from rtkeren.registry import Reminder
from rtkeren.services.reminders import in_indonesian, reminder_hours_begun
from rtkeren.tasks import absolute_url

from .models import VotingRound
from .selectors import round_scope_accounts
from .services import ROUND_OPENED, round_message

#: The approved WhatsApp template: {{1}} the round and its RT, {{2}} closing time, {{3}} link.
CLOSING_TEMPLATE = "rtkeren_pengingat_voting"
# Marked for extraction here; translated in each recipient's language when sent.
CLOSING_TODAY = gettext_noop(
    "Reminder: voting “%(title)s” closes today at %(time)s. Choose the proposals you want "
    "before then."
)
#: How late a round scheduled ahead is still announced as open (after a scheduler outage).
OPENED_NOTICE = datetime.timedelta(days=1)


def _label(voting_round: VotingRound) -> str:
    if voting_round.rt_id:
        return f"{voting_round.title} ({voting_round.rt})"
    return f"{voting_round.title} ({voting_round.kelurahan})"


def _closing_message(voting_round: VotingRound):
    title, closes_at = voting_round.title, timezone.localtime(voting_round.closes_at)

    def render() -> str:
        return _(CLOSING_TODAY) % {
            "title": title,
            "time": formats.time_format(closes_at, "TIME_FORMAT"),
        }

    return render


def _not_voted(voting_round: VotingRound):
    """The accounts the round is for that have cast no vote in it yet."""
    return round_scope_accounts(voting_round).exclude(resident__votes__round=voting_round)


def rounds_closing_today(now: datetime.datetime) -> list[Reminder]:
    """From 06.00 WIB on the day an open round closes, a reminder to the residents it is for
    who have not voted in it; one query, and one per round for its recipients."""
    if not reminder_hours_begun(now):
        return []
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    rounds = (
        VotingRound.objects.open_at(now)
        .filter(closes_at__lt=midnight + datetime.timedelta(days=1))
        .with_places()
        .order_by("closes_at", "pk")
    )
    reminders = []
    for voting_round in rounds:
        url = reverse("designing:round-detail", args=[voting_round.pk])
        reminders.append(
            Reminder(
                key=f"round-closing:{voting_round.pk}:{voting_round.closes_at:%Y%m%d%H%M}",
                recipients=_not_voted(voting_round),
                message=_closing_message(voting_round),
                url=url,
                subject=voting_round,
                kind=NotificationKind.VOTE,
                template=CLOSING_TEMPLATE,
                template_parameters=(
                    _label(voting_round),
                    in_indonesian(voting_round.closes_at, "TIME_FORMAT"),
                    absolute_url(url),
                ),
            )
        )
    return reminders


def rounds_opened(now: datetime.datetime) -> list[Reminder]:
    """A round that was scheduled ahead (its residents were told it is coming) has opened:
    tell them, once, within a day of its opening; one query, and one per round."""
    if not reminder_hours_begun(now):
        return []
    rounds = (
        VotingRound.objects.open_at(now)
        .filter(opens_at__gt=now - OPENED_NOTICE)
        .with_places()
        .order_by("opens_at", "pk")
    )
    return [
        Reminder(
            key=f"round-opened:{voting_round.pk}",
            recipients=round_scope_accounts(voting_round),
            message=round_message(voting_round.title, ROUND_OPENED),
            url=reverse("designing:round-detail", args=[voting_round.pk]),
            subject=voting_round,
            kind=NotificationKind.VOTE,
        )
        for voting_round in rounds
        if voting_round.opens_at > voting_round.created_at
    ]
