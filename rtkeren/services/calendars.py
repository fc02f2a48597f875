"""A person's calendar feed: made, and given up. The feed rows themselves are the record of
when each address was made and revoked (they are never deleted)."""

import logging

from django.db import transaction
from django.utils import timezone

from rtkeren.models import CalendarFeed, User

logger = logging.getLogger(__name__)


@transaction.atomic
def calendar_feed_create(*, user: User) -> CalendarFeed:
    """A new secret address for ``user``'s feed; the address they had before stops working."""
    _revoke_active(user)
    feed = CalendarFeed(user=user)
    feed.full_clean()
    feed.save()
    logger.info("Calendar feed %s made by %s", feed.pk, user.pk)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Stop ``user``'s feed address from working (nothing happens when they have none)."""
    _revoke_active(user)


def _revoke_active(user: User) -> None:
    revoked = CalendarFeed.objects.active().filter(user=user).select_for_update()
    for feed in revoked:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        logger.info("Calendar feed %s revoked by %s", feed.pk, user.pk)
