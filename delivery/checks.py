"""What co-delivery tells the core's state machine (registered in ``DeliveryConfig.ready``):
who coordinates an activity, and when it may be marked delivered."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rtkeren.models import Activity, ActivityStatus
from rtkeren.selectors.residents import acting_resident

from .models import Implementer, Meeting

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
