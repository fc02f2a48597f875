"""What co-delivery tells the core's state machine (registered in ``DeliveryConfig.ready``):
who coordinates an activity, and when it may be marked delivered."""

from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rtkeren.models import Activity, ActivityStatus
from rtkeren.selectors.residents import acting_resident

from .models import Implementer, Meeting, Output

_CACHE = "_delivery_coordinated"


def is_coordinator(user, activity: Activity) -> bool:
    """The resident the user acts as implements ``activity`` as koordinator; read once per user
    object (i.e. per request) and activity."""
    if not user.is_authenticated or activity is None or activity.pk is None:
        return False
    known = user.__dict__.setdefault(_CACHE, {})
    if activity.pk not in known:
        resident = acting_resident(user)
        known[activity.pk] = (
            resident is not None
            and Implementer.objects.filter(
                activity_id=activity.pk, role=Implementer.Role.COORDINATOR, resident=resident
            ).exists()
        )
    return known[activity.pk]


def forget_coordinators(user) -> None:
    user.__dict__.pop(_CACHE, None)


def last_meeting_guard(activity: Activity, to_status: str) -> str | None:
    """An activity is delivered once its last planned meeting has taken place. One delivered
    without any meeting recorded (a one-day work done before the portal) is not held back."""
    if to_status != ActivityStatus.DELIVERED:
        return None
    last = Meeting.objects.filter(activity_id=activity.pk).order_by("-date", "-starts_at").first()
    if last is not None and not last.has_taken_place(timezone.now()):
        return _(
            "The last planned meeting (%(title)s, %(date)s) has not taken place yet; the "
            "activity can be marked delivered after it."
        ) % {"title": last.title, "date": formats.date_format(last.date, "DATE_FORMAT")}
    return None


def unfinished_outputs_guard(activity: Activity, to_status: str) -> str | None:
    """An output left below its target is only delivered with its obstacle recorded, so that
    assessment can follow it up; the message names every output that still lacks one."""
    if to_status != ActivityStatus.DELIVERED:
        return None
    names = list(
        Output.objects.filter(
            activity_id=activity.pk, finished_quantity__lt=F("target_quantity"), obstacle=""
        ).values_list("name", flat=True)
    )
    if not names:
        return None
    return ngettext(
        "The output %(names)s is below its target without an obstacle recorded: record what "
        "held it back before marking the activity delivered.",
        "The outputs %(names)s are below their targets without an obstacle recorded: record "
        "what held them back before marking the activity delivered.",
        len(names),
    ) % {"names": ", ".join(f"“{name}”" for name in names)}
