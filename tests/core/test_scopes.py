"""Where objects sit, which residents each persona may list, and how often roles are read."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from rtkeren import rules as core_rules
from rtkeren import scopes
from rtkeren.models import RT, Activity, BudgetLine, Community, Resident, Role, User
from rtkeren.scopecache import person_changed
from tests import factories

pytestmark = pytest.mark.django_db

OBJECT_PREDICATES = (
    "is_officer_of",
    "is_facilitator_of",
    "is_rw_chair_of",
    "is_rt_chair_of",
    "is_pokmas_member_of",
    "is_community_lead_of",
    "is_resident_of_rt",
    "is_resident_of_kelurahan",
    "is_self",
    "is_staff_of",
)


@pytest.fixture
def residents(rt, other_rt, foreign_rt, resident, rt_chair, outsider):
    """Two residents in the own RT, one in the other RT, one in another kelurahan."""
    return {
        "resident": resident,
        "rt_chair": rt_chair.resident,
        "other": factories.ResidentFactory(rt=other_rt),
        "foreign": outsider.resident,
    }


VISIBLE = {
    "anonymous": set(),
    "admin_user": {"resident", "rt_chair", "other", "foreign"},
    "city_viewer": {"resident", "rt_chair", "other", "foreign"},
    "officer": {"resident", "rt_chair", "other"},
    "facilitator": {"resident", "rt_chair", "other"},
    "foreign_officer": {"foreign"},
    "rw_chair": {"resident", "rt_chair"},
    "rt_chair": {"resident", "rt_chair"},
    "other_rt_chair": {"other"},
    "pokmas_member": set(),
    "community_lead": set(),
    "resident_user": set(),
    "outsider": set(),
}


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.mark.parametrize("persona", VISIBLE)
def test_residents_visible_to(persona, residents, request):
    user = request.getfixturevalue(persona)
    names = {resident.pk: name for name, resident in residents.items()}

    visible = {names[pk] for pk in scopes.residents_visible_to(user).values_list("pk", flat=True)}

    assert visible == VISIBLE[persona]


def test_residents_visible_to_an_admin_by_role(residents):
    user = factories.make_user_with_role(Role.ADMIN)

    assert scopes.residents_visible_to(user).count() == len(residents)


@pytest.mark.parametrize(
    ("starts_in", "ends_in"),
    [(-30, -1), (1, None)],
    ids=["ended", "not yet started"],
)
def test_residents_visible_to_needs_an_assignment_in_force(starts_in, ends_in, residents, rt):
    today = timezone.localdate()
    user = factories.UserFactory()
    factories.RoleAssignmentFactory(
        user=user,
        role=Role.RW_CHAIR,
        rw=rt.rw,
        starts_on=today + datetime.timedelta(days=starts_in),
        ends_on=today + datetime.timedelta(days=ends_in) if ends_in else None,
    )

    assert not scopes.residents_visible_to(user).exists()


def test_resident_filter_with_a_prefix_scopes_related_objects(officer, rt, foreign_rt):
    own = factories.BudgetLineFactory(activity=factories.ActivityFactory(rt=rt))
    factories.BudgetLineFactory(activity=factories.ActivityFactory(rt=foreign_rt))

    condition = scopes.resident_filter(officer, prefix="activity__")

    assert list(BudgetLine.objects.filter(condition)) == [own]


def test_residents_visible_to_costs_the_same_with_many_residents(officer, rt):
    factories.ResidentFactory(rt=rt)
    with_one = _count(lambda user: list(scopes.residents_visible_to(user)), officer)
    factories.ResidentFactory.create_batch(10, rt=rt)
    with_many = _count(lambda user: list(scopes.residents_visible_to(user)), officer)

    assert with_one == with_many == 2  # the user's assignments, then the residents


def _count(action, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fresh = User.objects.get(pk=user.pk)
    person_changed(user.pk)  # the assignments read from the database, not the cache
    with CaptureQueriesContext(connection) as queries:
        action(fresh)
    return len(queries)


# Places of objects.


def test_place_of_core_objects(kelurahan, rt, community):
    rt_community = factories.CommunityFactory(kelurahan=kelurahan, rt=rt)
    resident = factories.ResidentFactory(rt=rt)
    activity = factories.ActivityFactory(rt=rt, community=community)
    kelurahan_activity = factories.ActivityFactory(rt=None, kelurahan=kelurahan)
    own = {"kelurahan_id": kelurahan.pk, "rw_id": rt.rw_id, "rt_id": rt.pk}

    assert scopes.place_of(kelurahan) == scopes.Place(kelurahan_id=kelurahan.pk)
    assert scopes.place_of(rt.rw) == scopes.Place(kelurahan_id=kelurahan.pk, rw_id=rt.rw_id)
    assert scopes.place_of(rt) == scopes.Place(**own)
    assert scopes.place_of(resident) == scopes.Place(**own)
    assert scopes.place_of(activity) == scopes.Place(**own, community_id=community.pk)
    assert scopes.place_of(kelurahan_activity) == scopes.Place(kelurahan_id=kelurahan.pk)
    assert scopes.place_of(community) == scopes.Place(
        kelurahan_id=kelurahan.pk, community_id=community.pk
    )
    assert scopes.place_of(rt_community) == scopes.Place(**own, community_id=rt_community.pk)


def test_place_of_stage_objects_follows_their_activity_or_rt(rt):
    activity = factories.ActivityFactory(rt=rt)
    line = factories.BudgetLineFactory(activity=activity)
    pokmas = factories.PokmasFactory(rt=rt)

    assert scopes.place_of(line) == scopes.place_of(activity) == scopes.place_of(rt)
    assert scopes.place_of(pokmas) == scopes.place_of(rt)


def test_place_of_unknown_objects_is_nowhere(officer):
    assert scopes.place_of(None) == scopes.Place()
    assert scopes.place_of(officer) == scopes.Place()
    assert not core_rules.is_officer_of(officer, None)


# Assignments are read once per user object, i.e. once per request, however many checks run.


@pytest.fixture
def loaded_objects(kelurahan, rt, other_rt, foreign_rt, community):
    """Objects with their places already read, so that only the role lookups cost queries."""
    factories.ResidentFactory(rt=rt)
    factories.ResidentFactory(rt=foreign_rt)
    factories.ActivityFactory(rt=rt, community=community)
    factories.ActivityFactory(rt=None, kelurahan=kelurahan)
    return [
        kelurahan,
        *RT.objects.with_places(),
        *[rt.rw for rt in RT.objects.with_places()],
        *Resident.objects.with_places(),
        *Activity.objects.with_places(),
        *Community.objects.select_related("kelurahan", "rt__rw"),
    ]


@pytest.mark.parametrize("persona", ["officer", "rt_chair", "resident_user", "admin_user"])
def test_assignments_are_read_once_per_user_object(
    persona, loaded_objects, request, django_assert_num_queries
):
    user = User.objects.get(pk=request.getfixturevalue(persona).pk)

    with django_assert_num_queries(1):
        for _round in range(3):
            for predicate in OBJECT_PREDICATES:
                for obj in loaded_objects:
                    getattr(core_rules, predicate)(user, obj)
            core_rules.is_staff_of_any_scope(user)
            scopes.resident_filter(user)


def test_request_user_wrapper_keeps_the_cache(officer, loaded_objects, django_assert_num_queries):
    fresh = User.objects.get(pk=officer.pk)
    request_user = SimpleLazyObject(lambda: fresh)

    with django_assert_num_queries(1):
        for obj in loaded_objects:
            core_rules.is_staff_of(request_user, obj)
            core_rules.is_officer_of(request_user, obj)


def test_each_user_object_reads_its_own_assignments(officer, kelurahan, django_assert_num_queries):
    first = User.objects.get(pk=officer.pk)
    second = User.objects.get(pk=officer.pk)

    # The first reads them from the database, the second (another request) from the cache.
    with django_assert_num_queries(1):
        assert core_rules.is_officer_of(first, kelurahan)
        assert core_rules.is_officer_of(second, kelurahan)
        assert core_rules.is_officer_of(first, kelurahan)


def test_forget_assignments_reads_them_again(officer, kelurahan, django_assert_num_queries):
    user = User.objects.get(pk=officer.pk)
    assert core_rules.is_officer_of(user, kelurahan)

    scopes.forget_assignments(user)
    person_changed(user.pk)  # as every write of an assignment does

    with django_assert_num_queries(1):
        assert core_rules.is_officer_of(user, kelurahan)
