"""Co-assessment on a kelurahan's public page (registered in ``apps.py``): the kelurahan's
scorecard, and the follow-ups of its activities. A follow-up's owner shows as a role (e.g.
"Kelurahan officer"), never by name; its text with residents' names, NIKs and phone numbers
blanked (``rtkeren.redact``)."""

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import QueryDict

from rtkeren.models import Kelurahan, Period, Role, RoleAssignment
from rtkeren.paginate import counted_page
from rtkeren.prepared import Prepared
from rtkeren.redact import redactor_for

from . import scorecard
from .models import FollowUp

#: Which of an owner's roles names them on the public page: the most accountable one.
ROLE_RANK = [
    Role.OFFICER,
    Role.FACILITATOR,
    Role.RW_CHAIR,
    Role.RT_CHAIR,
    Role.COMMUNITY_LEAD,
    Role.POKMAS_MEMBER,
    Role.RESIDENT,
    Role.CITY_VIEWER,
    Role.ADMIN,
]
#: Follow-ups on a page of the public page, those not done first.
FOLLOW_UPS_PER_PAGE = 10
PAGE_PARAM = "tindak-lanjut"


def owner_role() -> Subquery:
    """The role code that names a follow-up's owner in public: their most accountable current
    role (None when they have none)."""
    rank = Case(
        *[When(role=role, then=Value(position)) for position, role in enumerate(ROLE_RANK)],
        output_field=IntegerField(),
    )
    return Subquery(
        RoleAssignment.objects.current()
        .filter(user=OuterRef("owner_id"))
        .order_by(rank, "pk")
        .values("role")[:1]
    )


def scorecard_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """The kelurahan's scorecard (2 queries, or none from the cache). Every participation in
    the kelurahan changes it, so the page shares it apart from the other sections."""
    return "assessment/includes/public_scorecard.html", {
        "card": scorecard.scorecard(scope=scorecard.Scope(kelurahan=kelurahan), period=period),
    }


scorecard_section.follows_participation = True


def kelurahan_section(kelurahan: Kelurahan, period: Period, query: QueryDict):
    """A page of the follow-ups, those not done first, with their text redacted (2 queries:
    the page, and the residents' names found in it)."""
    values = {"kelurahan": kelurahan.pk, "period": period.pk}
    page = counted_page(
        Prepared(FollowUp, _follow_ups, (), values), query.get(PAGE_PARAM), FOLLOW_UPS_PER_PAGE
    )
    follow_ups = page.object_list
    redacted = redactor_for(
        text
        for follow_up in follow_ups
        for text in (follow_up.obstacle, follow_up.action, follow_up.resolution)
    )
    for follow_up in follow_ups:
        follow_up.owner_label = Role(follow_up.owner_role).label if follow_up.owner_role else ""
        # Shown, never saved: the page's copies of the text are the redacted ones.
        follow_up.obstacle = redacted(follow_up.obstacle)
        follow_up.action = redacted(follow_up.action)
        follow_up.resolution = redacted(follow_up.resolution)
    return "assessment/includes/public_section.html", {
        "follow_ups": follow_ups,
        "page_obj": page,
        "page_param": PAGE_PARAM,
    }


def _follow_ups(shape: tuple, values: dict) -> QuerySet[FollowUp]:
    """The kelurahan's follow-ups of ``period``, those not done first, each with its owner's
    public role."""
    return (
        FollowUp.objects.filter(
            activity__kelurahan=values["kelurahan"], activity__period=values["period"]
        )
        .select_related("activity")
        .annotate(owner_role=owner_role())
        .order_by(
            Case(When(status=FollowUp.Status.DONE, then=Value(1)), default=Value(0)),
            "due_on",
            "pk",
        )
    )


kelurahan_section.page_params = (PAGE_PARAM,)
