"""Template context every page gets."""

from django.utils.functional import SimpleLazyObject

from rtkeren.selectors.notifications import unread_notification_count


def notifications(request) -> dict:
    """The unread count for the bell in the navigation: one query, and only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_notification_count(user))}
