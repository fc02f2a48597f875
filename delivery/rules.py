"""Who may do what in co-delivery.

The activity's RT chair, the Pokmas members of its RT, its coordinators (implementers in the
role koordinator) and the officers of its kelurahan manage delivery; facilitators and city
viewers read everything; residents who may see the activity read its public parts (meetings,
outputs, counts, and photos of meetings whose attendees all agreed to photos being shown:
never names of attendees nor spending lines).
"""

import rules

from rtkeren.models import Activity, ActivityStatus
from rtkeren.rules import (
    can_view_activity,
    is_activity_coordinator,
    is_facilitator_of,
    is_officer_of,
    is_pokmas_member_of,
    is_rt_chair_of,
    sees_city,
)

from .models import DELIVERY_STATUSES


def activity_of(obj) -> Activity | None:
    """The activity a delivery object belongs to (an activity is its own)."""
    if obj is None or isinstance(obj, Activity):
        return obj
    if hasattr(obj, "activity_id"):
        return obj.activity
    if hasattr(obj, "meeting_id"):
        return obj.meeting.activity
    return None


def _on_activity(predicate):
    """``predicate`` applied to the object's activity, so it works on meetings, photos..."""

    @rules.predicate(name=f"activity_{predicate.name}")
    def check(user, obj):
        activity = activity_of(obj)
        return activity is not None and predicate.test(user, activity)

    return check


@rules.predicate
def is_in_delivery_stage(user, obj):
    activity = activity_of(obj)
    return activity is not None and activity.status in DELIVERY_STATUSES


@rules.predicate
def is_plannable(user, obj):
    """Meetings are planned and changed until the activity is delivered."""
    activity = activity_of(obj)
    return activity is not None and activity.status in (
        ActivityStatus.APPROVED,
        ActivityStatus.IN_DELIVERY,
    )


@rules.predicate
def is_public_photo(user, photo):
    """A meeting photo everyone pictured agreed to (``public`` from the photo's selector)."""
    return bool(getattr(photo, "public", False))


@rules.predicate
def is_task_assignee(user, task):
    return task is not None and user.is_authenticated and task.assignee_id == user.pk


manages_delivery = _on_activity(
    is_rt_chair_of | is_pokmas_member_of | is_activity_coordinator | is_officer_of
)
reads_delivery_records = manages_delivery | _on_activity(is_facilitator_of | sees_city)

rules.add_perm("delivery.view_activity", is_in_delivery_stage & _on_activity(can_view_activity))
rules.add_perm("delivery.view_records", is_in_delivery_stage & reads_delivery_records)
rules.add_perm("delivery.manage_activity", is_in_delivery_stage & manages_delivery)
rules.add_perm("delivery.plan_meetings", is_plannable & manages_delivery)
rules.add_perm(
    "delivery.complete_task", is_in_delivery_stage & (manages_delivery | is_task_assignee)
)
# A photo as the meeting page shows it; a receipt to whoever reads the spending lines, at any
# stage, since the activity's report and the LPJ show them after delivery too.
rules.add_perm(
    "delivery.view_photo",
    reads_delivery_records
    | (is_in_delivery_stage & _on_activity(can_view_activity) & is_public_photo),
)
rules.add_perm("delivery.view_receipt", reads_delivery_records)
rules.add_perm(
    "delivery.view_rt_spending",
    is_pokmas_member_of | is_rt_chair_of | is_officer_of | is_facilitator_of | sees_city,
)
