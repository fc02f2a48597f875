"""What co-commissioning offers other stages as the origin of an activity (registered in
``apps.py`` with ``rtkeren.registry.origin_sources`` and ``origin_checks``): its open potentials
and the priorities of forums that were held."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from rtkeren.registry import Origin

from .models import Forum, Potential, PriorityItem


def open_potentials(kelurahan_ids, *, limit: int) -> list[Origin]:
    """The newest open potentials of the kelurahans (one query)."""
    content_type = ContentType.objects.get_for_model(Potential)
    rows = (
        Potential.objects.filter(kelurahan_id__in=kelurahan_ids, status=Potential.Status.OPEN)
        .order_by("-created_at", "-pk")
        .values_list("pk", "title")[:limit]
    )
    return [
        Origin(
            f"{content_type.pk}:{pk}",
            _("Potential: %(title)s") % {"title": title},
            content_type.pk,
            pk,
        )
        for pk, title in rows
    ]


def held_priorities(kelurahan_ids, *, limit: int) -> list[Origin]:
    """The priorities of the kelurahans' held forums, newest forum first, by rank (one query)."""
    content_type = ContentType.objects.get_for_model(PriorityItem)
    rows = (
        PriorityItem.objects.filter(
            forum__kelurahan_id__in=kelurahan_ids, forum__status=Forum.Status.HELD
        )
        .order_by("-forum__date", "-forum_id", "rank")
        .values_list("pk", "rank", "title", "forum__title")[:limit]
    )
    return [
        Origin(
            f"{content_type.pk}:{pk}",
            _("Forum priority %(rank)s: %(title)s (%(forum)s)")
            % {"rank": rank, "title": title, "forum": forum},
            content_type.pk,
            pk,
        )
        for pk, rank, title, forum in rows
    ]


def may_be_origin(record) -> bool:
    """Whether ``record`` is offered above: an open potential, or a priority of a held forum."""
    if isinstance(record, Potential):
        return record.status == Potential.Status.OPEN
    if isinstance(record, PriorityItem):
        return record.forum.status == Forum.Status.HELD
    return False
