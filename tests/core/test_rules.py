"""The core predicates and permissions, role x scope.

Every persona is asked about every object of three places: their own RT (RT 002 / RW 007 of
Kelurahan Blitar), another RT of the same kelurahan (RT 001 / RW 008) and another kelurahan
(Pakunden). The expected answer is written out once per predicate; everything else must be no.
"""

import datetime

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from rtkeren import rules as core_rules
from rtkeren.models import Role
from tests import factories

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "admin_user",
    "admin_role",
    "city_viewer",
    "officer",
    "foreign_officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "outsider",
)

# Objects by place. "community" serves the whole kelurahan; "community_activity" is an activity of
# that community held in the other RT.
OWN_RT = {"rt", "resident", "activity", "rt_community"}
OWN_RW = OWN_RT | {"rw"}
OTHER_RT = {"other_rt", "other_resident", "other_activity", "other_rt_community"}
OTHER_RT |= {"community_activity"}
KELURAHAN = OWN_RW | OTHER_RT | {"other_rw", "kelurahan", "community", "kelurahan_activity"}
FOREIGN_RT = {"foreign_rt", "foreign_resident", "foreign_activity"}
FOREIGN = FOREIGN_RT | {"foreign_kelurahan", "foreign_rw", "foreign_community"}
EVERYTHING = KELURAHAN | FOREIGN

CITY = {"admin_user": EVERYTHING, "admin_role": EVERYTHING, "city_viewer": EVERYTHING}
GOVERNMENT = {"officer": KELURAHAN, "facilitator": KELURAHAN, "foreign_officer": FOREIGN}
CHAIRS = {"rw_chair": OWN_RW, "rt_chair": OWN_RT, "other_rt_chair": OTHER_RT}
ADMINS = {"admin_user": EVERYTHING, "admin_role": EVERYTHING}
OFFICERS = {"officer": KELURAHAN, "foreign_officer": FOREIGN}
RT_CHAIRS = {"rt_chair": OWN_RT, "other_rt_chair": OTHER_RT}
# The superuser passes every Django permission check whatever the rules say.
SUPERUSER = {"admin_user": EVERYTHING}

PREDICATES = {
    "is_officer_of": OFFICERS,
    "is_facilitator_of": {"facilitator": KELURAHAN},
    "is_rw_chair_of": {"rw_chair": OWN_RW},
    "is_rt_chair_of": RT_CHAIRS,
    "is_pokmas_member_of": {"pokmas_member": OWN_RT},
    "is_community_lead_of": {"community_lead": {"community", "community_activity"}},
    "is_resident_of_rt": {"resident_user": OWN_RT, "rt_chair": OWN_RT, "outsider": FOREIGN_RT},
    "is_resident_of_kelurahan": {
        "resident_user": KELURAHAN,
        "rt_chair": KELURAHAN,
        "outsider": FOREIGN,
    },
    "is_self": {"resident_user": {"resident"}, "outsider": {"foreign_resident"}},
    "sees_city": CITY,
    "is_government_of": GOVERNMENT,
    "is_chair_of": CHAIRS,
    "is_staff_of": {**CITY, **GOVERNMENT, **CHAIRS},
}

PERMISSIONS = {
    "rtkeren.view_resident": {
        **CITY,
        **GOVERNMENT,
        **CHAIRS,
        "resident_user": {"resident"},
        "outsider": {"foreign_resident"},
    },
    "rtkeren.change_resident": {**ADMINS, **OFFICERS, **RT_CHAIRS},
    "rtkeren.verify_resident": {**OFFICERS, **RT_CHAIRS},
    "rtkeren.reveal_nik": OFFICERS,
    "rtkeren.view_birth_date": {
        **OFFICERS,
        "resident_user": {"resident"},
        "outsider": {"foreign_resident"},
    },
    "rtkeren.view_history": {**ADMINS, **OFFICERS},
    "rtkeren.view_activity_history": {**ADMINS, **OFFICERS},
}

USER_PREDICATES = {
    "is_admin": {"admin_user", "admin_role"},
    "is_city_viewer": {"city_viewer"},
    "is_officer": {"officer", "foreign_officer"},
    "is_staff_of_any_scope": {
        "admin_user",
        "admin_role",
        "city_viewer",
        "officer",
        "foreign_officer",
        "facilitator",
        "rw_chair",
        "rt_chair",
        "other_rt_chair",
    },
}


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture
def admin_role(db):
    """An administrator by role assignment, not a Django superuser."""
    return factories.make_user_with_role(Role.ADMIN, "admin_peran")


@pytest.fixture
def objects(kelurahan, rt, other_rt, foreign_kelurahan, foreign_rt, community, resident, outsider):
    period = factories.PeriodFactory()

    def activity(place_rt, **kwargs):
        return factories.ActivityFactory(rt=place_rt, period=period, **kwargs)

    return {
        "kelurahan": kelurahan,
        "rw": rt.rw,
        "rt": rt,
        "resident": resident,
        "activity": activity(rt),
        "rt_community": factories.CommunityFactory(kelurahan=kelurahan, rt=rt),
        "community": community,
        "kelurahan_activity": factories.ActivityFactory(
            rt=None, kelurahan=kelurahan, period=period
        ),
        "community_activity": activity(other_rt, community=community),
        "other_rw": other_rt.rw,
        "other_rt": other_rt,
        "other_resident": factories.ResidentFactory(rt=other_rt),
        "other_activity": activity(other_rt),
        "other_rt_community": factories.CommunityFactory(kelurahan=kelurahan, rt=other_rt),
        "foreign_kelurahan": foreign_kelurahan,
        "foreign_rw": foreign_rt.rw,
        "foreign_rt": foreign_rt,
        "foreign_resident": outsider.resident,
        "foreign_activity": activity(foreign_rt),
        "foreign_community": factories.CommunityFactory(kelurahan=foreign_kelurahan),
    }


@pytest.fixture
def personas(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def test_the_objects_cover_every_place(objects):
    assert set(objects) == EVERYTHING


def mismatches(check, personas, objects, expected):
    """{persona: (unexpected yes, missing yes)} for every persona whose answers differ."""
    found = {}
    for name, user in personas.items():
        allowed = {key for key, obj in objects.items() if check(user, obj)}
        wanted = expected.get(name, set())
        if allowed != wanted:
            found[name] = (sorted(allowed - wanted), sorted(wanted - allowed))
    return found


@pytest.mark.parametrize("predicate", PREDICATES)
def test_predicate_matrix(predicate, personas, objects):
    check = getattr(core_rules, predicate)

    assert mismatches(check, personas, objects, PREDICATES[predicate]) == {}


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_permission_matrix_of_the_rules(permission, personas, objects):
    def check(user, obj):
        return rules.has_perm(permission, user, obj)

    assert mismatches(check, personas, objects, PERMISSIONS[permission]) == {}


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_permission_matrix_through_django(permission, personas, objects):
    def check(user, obj):
        return user.has_perm(permission, obj)

    expected = {**PERMISSIONS[permission], **SUPERUSER}

    assert mismatches(check, personas, objects, expected) == {}


@pytest.mark.parametrize("predicate", USER_PREDICATES)
def test_predicates_without_an_object(predicate, personas):
    check = getattr(core_rules, predicate)

    assert {name for name, user in personas.items() if check(user)} == USER_PREDICATES[predicate]


def test_list_residents_is_for_staff_of_any_scope(personas):
    allowed = {name for name, user in personas.items() if user.has_perm("rtkeren.list_residents")}

    assert allowed == USER_PREDICATES["is_staff_of_any_scope"]


def test_object_permissions_without_an_object_hold_for_the_whole_city_only(personas):
    allowed = {
        name
        for name, user in personas.items()
        if any(rules.has_perm(permission, user, None) for permission in PERMISSIONS)
    }

    assert allowed == set(CITY)


def test_is_self_only_means_the_own_resident_record(resident_user, resident, rt):
    from rtkeren.models import Notification

    notification = Notification(recipient=resident_user, message="Halo")
    notification.user_id = resident_user.pk

    assert core_rules.is_self(resident_user, resident)
    assert not core_rules.is_self(resident_user, notification)
    assert not core_rules.is_self(resident_user, rt)
    assert not core_rules.is_self(resident_user, None)


# Assignments that have ended or not yet started do not count; the first and last day do.

ROLE_CASES = {
    "officer": (Role.OFFICER, "kelurahan", "is_officer_of", "kelurahan"),
    "facilitator": (Role.FACILITATOR, "kelurahan", "is_facilitator_of", "kelurahan"),
    "rw_chair": (Role.RW_CHAIR, "rw", "is_rw_chair_of", "rw"),
    "rt_chair": (Role.RT_CHAIR, "rt", "is_rt_chair_of", "rt"),
    "pokmas_member": (Role.POKMAS_MEMBER, "rt", "is_pokmas_member_of", "rt"),
    "community_lead": (Role.COMMUNITY_LEAD, "community", "is_community_lead_of", "community"),
    "resident_of_rt": (Role.RESIDENT, "rt", "is_resident_of_rt", "rt"),
    "resident_of_kelurahan": (Role.RESIDENT, "rt", "is_resident_of_kelurahan", "kelurahan"),
    "city_viewer": (Role.CITY_VIEWER, "kota", "sees_city", "foreign_rt"),
    "admin": (Role.ADMIN, None, "sees_city", "foreign_rt"),
}

DAY = datetime.timedelta(days=1)


def assignment_dates(when):
    today = timezone.localdate()
    return {
        "ended yesterday": (today - 30 * DAY, today - DAY),
        "starts tomorrow": (today + DAY, None),
        "ends today": (today - 30 * DAY, today),
        "starts today": (today, None),
    }[when]


@pytest.mark.parametrize("case", ROLE_CASES)
@pytest.mark.parametrize(
    ("when", "counts"),
    [
        ("ended yesterday", False),
        ("starts tomorrow", False),
        ("ends today", True),
        ("starts today", True),
    ],
)
def test_only_assignments_in_force_today_count(case, when, counts, objects):
    from rtkeren.models import Kota

    role, scope_field, predicate, target = ROLE_CASES[case]
    starts_on, ends_on = assignment_dates(when)
    scope = {
        "kota": Kota.objects.get(code="35.72"),
        "kelurahan": objects["kelurahan"],
        "rw": objects["rw"],
        "rt": objects["rt"],
        "community": objects["community"],
    }
    user = factories.UserFactory()
    factories.RoleAssignmentFactory(
        user=user,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        **({scope_field: scope[scope_field]} if scope_field else {}),
    )

    answer = getattr(core_rules, predicate)(user, objects[target])

    assert answer is counts
    assert core_rules.is_staff_of_any_scope(user) is (
        counts and role not in (Role.POKMAS_MEMBER, Role.COMMUNITY_LEAD, Role.RESIDENT)
    )


def test_a_handed_over_chair_keeps_no_rights(rt_chair, rt, officer):
    from rtkeren.models import User
    from rtkeren.services.roles import rt_chair_handover

    successor = factories.UserFactory()
    rt_chair_handover(rt=rt, new_chair=successor, by=officer)
    former = User.objects.get(pk=rt_chair.pk)

    assert not former.has_perm("rtkeren.verify_resident", rt)
    assert not former.has_perm("rtkeren.change_resident", rt)
    assert successor.has_perm("rtkeren.verify_resident", rt)
    assert former.has_perm("rtkeren.view_resident", former.resident)
