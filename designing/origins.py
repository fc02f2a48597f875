"""What a proposal may come from: the potentials and forum priorities of its kelurahan.

Those records belong to co-commissioning, which this app must not import. They are found by
name through the app registry, read with a few plain field lookups, and linked generically
(``ProposalOrigin``) with a snapshot of their title. Without co-commissioning installed, no
origins are offered and proposals simply have none.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

#: How many of each kind a form offers: the newest ones, so the list stays short on a phone.
CHOICE_LIMIT = 60
#: What may become a proposal: potentials still open, priorities of forums that were held.
POTENTIAL_OPEN, FORUM_HELD = "open", "held"


@dataclass(frozen=True)
class Origin:
    key: str
    label: str
    content_type_id: int
    object_id: int


def _model(name: str):
    if not apps.is_installed("commissioning"):
        return None
    try:
        return apps.get_model("commissioning", name)
    except LookupError:
        return None


def origins_for(kelurahan_ids) -> list[Origin]:
    """Open potentials and forum priorities of the given kelurahan (two queries at most)."""
    kelurahan_ids = list(kelurahan_ids)
    found = []
    potential_model = _model("Potential")
    if potential_model is not None:
        content_type = ContentType.objects.get_for_model(potential_model)
        rows = (
            potential_model.objects.filter(kelurahan_id__in=kelurahan_ids, status=POTENTIAL_OPEN)
            .order_by("-created_at", "-pk")
            .values_list("pk", "title")[:CHOICE_LIMIT]
        )
        found += [
            Origin(
                f"{content_type.pk}:{pk}",
                _("Potential: %(title)s") % {"title": title},
                content_type.pk,
                pk,
            )
            for pk, title in rows
        ]
    priority_model = _model("PriorityItem")
    if priority_model is not None:
        content_type = ContentType.objects.get_for_model(priority_model)
        rows = (
            priority_model.objects.filter(
                forum__kelurahan_id__in=kelurahan_ids, forum__status=FORUM_HELD
            )
            .order_by("-forum__date", "-forum_id", "rank")
            .values_list("pk", "rank", "title", "forum__title")[:CHOICE_LIMIT]
        )
        found += [
            Origin(
                f"{content_type.pk}:{pk}",
                _("Forum priority %(rank)s: %(title)s (%(forum)s)")
                % {"rank": rank, "title": title, "forum": forum},
                content_type.pk,
                pk,
            )
            for pk, rank, title, forum in rows
        ]
    return found


def may_be_origin(record) -> bool:
    """Whether ``origins_for`` offers ``record`` at all: an open potential, or a priority of a
    forum that was held."""
    model_name = record._meta.model_name
    if model_name == "potential":
        return record.status == POTENTIAL_OPEN
    if model_name == "priorityitem":
        return record.forum.status == FORUM_HELD
    return False
