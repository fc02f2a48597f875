"""What co-commissioning asks people to look at on their home page (see rtkeren.registry)."""

from django.utils.translation import gettext as _

from rtkeren.registry import AttentionItem, Priority, attention, url_or_empty

from . import selectors


def _forum_list(when: str) -> str:
    url = url_or_empty("commissioning:forum-list")
    return f"{url}?when={when}" if url else ""


@attention.register("commissioning-forums", order=20)
def forums(user) -> list[AttentionItem]:
    """Forums coming up in the user's place, and, for those who run forums, forums whose day
    has passed without minutes: two counts."""
    items = [
        AttentionItem(
            title=_("Forums in the next two weeks"),
            counted=selectors.upcoming_forums_for(user),
            url=_forum_list("upcoming"),
        )
    ]
    if selectors.manages_any_forum(user):
        items.append(
            AttentionItem(
                title=_("Forums waiting for their minutes"),
                counted=selectors.forums_waiting_for_minutes(user),
                url=_forum_list("past"),
                priority=Priority.HIGH,
            )
        )
    return items
