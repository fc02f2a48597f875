"""Reads of outgoing messages: what the officers of a kelurahan see of its residents' messages."""

from django.db.models import BooleanField, Case, QuerySet, Value, When

from rtkeren import scopes
from rtkeren.models import OutboundMessage, Role, User


def outbound_messages_for(user: User, *, status: str = "") -> QuerySet:
    """Messages to residents of the kelurahan where ``user`` is an officer (by the recipient's
    RT in the register), failed ones first, then the newest; ``status`` keeps one status."""
    queryset = OutboundMessage.objects.filter(
        user__resident__rt__rw__kelurahan_id__in=scopes.kelurahan_ids(user, Role.OFFICER)
    )
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.annotate(
            is_failed=Case(
                When(status=OutboundMessage.Status.FAILED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("user__resident__rt__rw")
        .defer("text", "parameters")
        .order_by("-is_failed", "-created_at", "-pk")
    )
