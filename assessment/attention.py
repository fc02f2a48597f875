"""What co-assessment asks people to look at on their home page (see rtkeren.registry)."""

from django.utils.translation import gettext as _

from rtkeren.registry import AttentionItem, Priority, attention, url_or_empty

from . import selectors


def _url(name: str, query: str) -> str:
    url = url_or_empty(name)
    return f"{url}?{query}" if url else ""


@attention.register("assessment-evaluations", order=40)
def evaluations_waiting(user) -> list[AttentionItem]:
    """Delivered activities the user may still evaluate and has not."""
    return [
        AttentionItem(
            title=_("Activities waiting for your evaluation"),
            counted=selectors.evaluations_to_do(user),
            url=_url("assessment:evaluation-list", "show=todo"),
        )
    ]


@attention.register("assessment-follow-ups", order=41)
def overdue_follow_ups(user) -> list[AttentionItem]:
    """Follow-ups the user owns whose due date has passed."""
    return [
        AttentionItem(
            title=_("Your overdue follow-ups"),
            counted=selectors.overdue_follow_ups_of(user),
            url=_url("assessment:followup-list", "mine=1&overdue=1"),
            priority=Priority.HIGH,
        )
    ]
