"""Reads of a person's notifications."""

from rtkeren.models import Notification, User

# The bell and the home page's attention item both show the count: one query per request.
_UNREAD_ATTRIBUTE = "_unread_notification_count"


def unread_notification_count(user: User) -> int:
    """How many notifications ``user`` has not read, counted once per user object (that is,
    per request: ``request.user`` is made anew for each)."""
    count = getattr(user, _UNREAD_ATTRIBUTE, None)
    if count is None:
        count = Notification.objects.filter(recipient=user).unread().count()
        setattr(user, _UNREAD_ATTRIBUTE, count)
    return count
