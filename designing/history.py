"""A proposal's comments and their moderation (hidden, shown again, with the reason) on the
activity's history page, registered from ``DesigningConfig.ready()`` in
``rtkeren.registry.activity_history_related``: who may read that page is the activity's
history permission (its kelurahan's officers and the administrator)."""

from django.utils.translation import gettext

from rtkeren.registry import activity_history_related
from rtkeren.selectors.history import RelatedHistory, related_history

from .models import Comment

EXCERPT = 60


def _describe(row) -> str:
    writer = row.resident.name if row.resident else (row.author.get_full_name() or "")
    text = row.body if len(row.body) <= EXCERPT else f"{row.body[:EXCERPT]}…"
    if row.hidden_at:
        state = gettext("hidden: %(reason)s") % {"reason": row.hidden_reason}
    else:
        state = gettext("shown")
    return gettext("%(writer)s: “%(text)s” (%(state)s)") % {
        "writer": writer,
        "text": text,
        "state": state,
    }


def comment_changes(activity) -> RelatedHistory:
    records = Comment.history.filter(activity_id=activity.pk).select_related("author", "resident")
    return related_history(gettext("Comments and their moderation"), records, _describe)


def register() -> None:
    activity_history_related.register("designing.comments", order=10)(comment_changes)
