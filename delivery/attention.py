"""What co-delivery asks people to look at on their home page (see rtkeren.registry)."""

from django.utils.translation import gettext as _

from rtkeren.registry import AttentionItem, Priority, attention, url_or_empty

from . import selectors


@attention.register("delivery-tasks", order=30)
def committee_tasks(user) -> list[AttentionItem]:
    """The user's open committee tasks and, among them, those past their due date."""
    tasks = selectors.prepared_open_tasks_of(user)
    url = url_or_empty("delivery:task-list")
    return [
        AttentionItem(title=_("Your open committee tasks"), counted=tasks, url=url),
        AttentionItem(
            title=_("Your overdue committee tasks"),
            counted=tasks.then(selectors.overdue),
            url=url,
            priority=Priority.HIGH,
        ),
    ]
