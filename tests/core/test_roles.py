"""Role assignments, their end, and chair handovers (rtkeren.services.roles)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rtkeren import rules as core_rules
from rtkeren import scopes
from rtkeren.models import Kota, Role, RoleAssignment, User
from rtkeren.services import roles
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def scope_of(kelurahan, rt, community):
    return {
        Role.CITY_VIEWER: Kota.objects.get(code="35.72"),
        Role.OFFICER: kelurahan,
        Role.FACILITATOR: kelurahan,
        Role.RW_CHAIR: rt.rw,
        Role.RT_CHAIR: rt,
        Role.POKMAS_MEMBER: rt,
        Role.COMMUNITY_LEAD: community,
        Role.RESIDENT: rt,
        Role.ADMIN: None,
    }


@pytest.mark.parametrize("role", Role.values)
def test_assign_each_role_to_its_scope(role, scope_of, admin_user):
    user = factories.UserFactory()

    assignment = roles.role_assign(user=user, role=role, scope=scope_of[role], by=admin_user)

    assert assignment.pk
    assert assignment.scope == scope_of[role]
    assert assignment.starts_on == TODAY()
    assert assignment.ends_on is None
    assert scopes.has_role(user, role)


def test_wrong_scope_type_gets_an_indonesian_error(kelurahan, admin_user):
    user = factories.UserFactory()

    with pytest.raises(ValidationError) as raised:
        roles.role_assign(user=user, role=Role.RT_CHAIR, scope=kelurahan, by=admin_user)

    assert raised.value.message_dict == {
        "rt": ["Peran “Ketua RT” berlaku untuk RT, bukan untuk kelurahan."]
    }
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_missing_scope_gets_an_indonesian_error(admin_user):
    with pytest.raises(ValidationError) as raised:
        roles.role_assign(
            user=factories.UserFactory(), role=Role.OFFICER, scope=None, by=admin_user
        )

    assert raised.value.message_dict == {
        "kelurahan": ["Peran “Petugas kelurahan” memerlukan kelurahan sebagai cakupannya."]
    }


def test_administrator_takes_no_scope(kelurahan, admin_user):
    with pytest.raises(ValidationError) as raised:
        roles.role_assign(
            user=factories.UserFactory(), role=Role.ADMIN, scope=kelurahan, by=admin_user
        )

    assert "tanpa cakupan" in raised.value.messages[0]


def test_unknown_role_is_refused(rt, admin_user):
    with pytest.raises(ValidationError) as raised:
        roles.role_assign(user=factories.UserFactory(), role="lurah", scope=rt, by=admin_user)

    assert "role" in raised.value.message_dict


def test_assignment_is_recorded_in_history_with_who_made_it(rt, officer):
    user = factories.UserFactory()

    assignment = roles.role_assign(
        user=user, role=Role.POKMAS_MEMBER, scope=rt, by=officer, note="SK Pokmas"
    )

    record = assignment.history.get()
    assert record.history_type == "+"
    assert record.history_user == officer
    assert record.note == "SK Pokmas"


def test_same_role_twice_for_the_same_scope_is_refused(officer, kelurahan, admin_user):
    with pytest.raises(ValidationError) as raised:
        roles.role_assign(user=officer, role=Role.OFFICER, scope=kelurahan, by=admin_user)

    assert "sudah memegang peran ini" in raised.value.messages[0]


def test_same_role_in_another_scope_is_allowed(facilitator, foreign_kelurahan, admin_user):
    roles.role_assign(
        user=facilitator, role=Role.FACILITATOR, scope=foreign_kelurahan, by=admin_user
    )

    assert len(scopes.kelurahan_ids(facilitator, Role.FACILITATOR)) == 2


def test_second_rt_chair_is_refused_and_pointed_to_the_handover(rt_chair, rt, admin_user):
    with pytest.raises(ValidationError) as raised:
        roles.role_assign(user=factories.UserFactory(), role=Role.RT_CHAIR, scope=rt, by=admin_user)

    assert "RT 002 / RW 007 sudah memiliki ketua" in raised.value.messages[0]
    assert "serah terima" in raised.value.messages[0]


def test_chair_after_the_current_term_ends_is_allowed(rt_chair, rt, admin_user):
    current = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)
    roles.role_end(assignment=current, ends_on=TODAY() + 10 * DAY, by=admin_user)

    successor = roles.role_assign(
        user=factories.UserFactory(),
        role=Role.RT_CHAIR,
        scope=rt,
        starts_on=TODAY() + 11 * DAY,
        by=admin_user,
    )

    assert successor.pk


def test_assigning_refreshes_the_cached_roles_of_the_same_user_object(rt, admin_user):
    user = factories.UserFactory()
    assert not core_rules.is_rt_chair_of(user, rt)  # caches "no roles" on the user object

    roles.role_assign(user=user, role=Role.RT_CHAIR, scope=rt, by=admin_user)

    assert core_rules.is_rt_chair_of(user, rt)


def test_role_end_stops_the_role_at_once(pokmas_member, rt, admin_user):
    assignment = RoleAssignment.objects.get(user=pokmas_member)
    assert core_rules.is_pokmas_member_of(pokmas_member, rt)

    ended = roles.role_end(assignment=assignment, by=admin_user)

    assert ended.ends_on == TODAY() - DAY
    next_request_user = User.objects.get(pk=pokmas_member.pk)
    assert not core_rules.is_pokmas_member_of(next_request_user, rt)
    assert ended.history.latest().history_user == admin_user
    assert ended.history.count() == 2


def test_role_end_on_a_later_day_keeps_the_role_until_then(pokmas_member, rt, admin_user):
    assignment = RoleAssignment.objects.get(user=pokmas_member)

    roles.role_end(assignment=assignment, ends_on=TODAY(), by=admin_user)

    assert core_rules.is_pokmas_member_of(pokmas_member, rt)


def test_role_end_twice_is_refused(pokmas_member, admin_user):
    assignment = RoleAssignment.objects.get(user=pokmas_member)
    roles.role_end(assignment=assignment, by=admin_user)

    with pytest.raises(ValidationError) as raised:
        roles.role_end(assignment=assignment, by=admin_user)

    assert "sudah ditetapkan berakhir pada" in raised.value.messages[0]


def test_role_end_before_the_start_is_refused(rt, admin_user):
    assignment = roles.role_assign(
        user=factories.UserFactory(),
        role=Role.POKMAS_MEMBER,
        scope=rt,
        starts_on=TODAY() + 5 * DAY,
        by=admin_user,
    )

    with pytest.raises(ValidationError) as raised:
        roles.role_end(assignment=assignment, by=admin_user)

    assert "baru dimulai pada" in raised.value.messages[0]
    assignment.refresh_from_db()
    assert assignment.ends_on is None


# Handover of the RT chair.


def test_handover_ends_the_old_term_the_day_before_and_starts_the_new(rt_chair, rt, officer):
    successor = factories.UserFactory()
    on = TODAY() + 7 * DAY

    new = roles.rt_chair_handover(rt=rt, new_chair=successor, on=on, by=officer)

    old = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)
    assert old.ends_on == on - DAY
    assert (new.user, new.rt, new.starts_on, new.ends_on) == (successor, rt, on, None)
    chairs_on = {
        day: set(
            RoleAssignment.objects.current(day)
            .filter(role=Role.RT_CHAIR, rt=rt)
            .values_list("user_id", flat=True)
        )
        for day in (on - DAY, on)
    }
    assert chairs_on == {on - DAY: {rt_chair.pk}, on: {successor.pk}}


def test_handover_keeps_the_history_of_both_terms(rt_chair, rt, officer):
    successor = factories.UserFactory()

    new = roles.rt_chair_handover(rt=rt, new_chair=successor, by=officer)

    old = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)
    assert [(h.history_type, h.ends_on) for h in old.history.order_by("history_id")] == [
        ("+", None),
        ("~", TODAY() - DAY),
    ]
    assert old.history.latest().history_user == officer
    assert new.history.get().history_user == officer
    assert RoleAssignment.objects.filter(role=Role.RT_CHAIR, rt=rt).count() == 2


def test_handover_today_switches_the_predicates(rt_chair, rt, officer):
    successor = factories.UserFactory()

    roles.rt_chair_handover(rt=rt, new_chair=successor, by=officer)

    fresh_old = User.objects.get(pk=rt_chair.pk)
    assert not core_rules.is_rt_chair_of(fresh_old, rt)
    assert core_rules.is_rt_chair_of(successor, rt)


def test_handover_without_a_current_chair_just_appoints(rt, officer):
    successor = factories.UserFactory()

    new = roles.rt_chair_handover(rt=rt, new_chair=successor, by=officer)

    assert RoleAssignment.objects.get(role=Role.RT_CHAIR, rt=rt) == new


def test_handover_to_the_current_chair_is_refused(rt_chair, rt, officer):
    with pytest.raises(ValidationError) as raised:
        roles.rt_chair_handover(rt=rt, new_chair=rt_chair, by=officer)

    assert "sudah menjadi ketua RT 002 / RW 007" in raised.value.messages[0]


def test_handover_before_a_scheduled_successor_is_refused(rt_chair, rt, officer):
    roles.rt_chair_handover(
        rt=rt, new_chair=factories.UserFactory(), on=TODAY() + 30 * DAY, by=officer
    )

    with pytest.raises(ValidationError) as raised:
        roles.rt_chair_handover(rt=rt, new_chair=factories.UserFactory(), by=officer)

    assert "dijadwalkan menjadi ketua" in raised.value.messages[0]


def test_handover_is_one_transaction(rt_chair, rt, officer, monkeypatch):
    def failing_assign(**kwargs):
        raise ValidationError("gagal")

    monkeypatch.setattr(roles, "role_assign", failing_assign)

    with pytest.raises(ValidationError):
        roles.rt_chair_handover(rt=rt, new_chair=factories.UserFactory(), by=officer)

    old = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)
    assert old.ends_on is None
    assert old.history.count() == 1


def test_rw_chair_handover(rw_chair, rt, officer):
    successor = factories.UserFactory()

    new = roles.rw_chair_handover(rw=rt.rw, new_chair=successor, by=officer)

    old = RoleAssignment.objects.get(user=rw_chair, role=Role.RW_CHAIR)
    assert old.ends_on == TODAY() - DAY
    assert new.rw == rt.rw
    assert core_rules.is_rw_chair_of(successor, rt)


# The database itself allows one open chair per RT and per RW, whatever writes to it.


def test_database_allows_one_open_rt_chair_per_rt(rt_chair, rt):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=factories.UserFactory(), role=Role.RT_CHAIR, rt=rt)

    assert RoleAssignment.objects.filter(role=Role.RT_CHAIR, rt=rt).count() == 1


def test_database_allows_ended_rt_chairs_besides_the_open_one(rt_chair, rt, other_rt):
    for year in (2019, 2022):
        RoleAssignment.objects.create(
            user=factories.UserFactory(),
            role=Role.RT_CHAIR,
            rt=rt,
            starts_on=datetime.date(year, 1, 1),
            ends_on=datetime.date(year + 2, 12, 31),
        )
    RoleAssignment.objects.create(user=factories.UserFactory(), role=Role.RT_CHAIR, rt=other_rt)

    assert RoleAssignment.objects.filter(role=Role.RT_CHAIR).count() == 4


def test_database_allows_one_open_rw_chair_per_rw(rw_chair, rt, other_rt):
    RoleAssignment.objects.create(user=factories.UserFactory(), role=Role.RW_CHAIR, rw=other_rt.rw)

    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=factories.UserFactory(), role=Role.RW_CHAIR, rw=rt.rw)


def test_database_refuses_a_scope_that_does_not_fit_the_role(kelurahan):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(
            user=factories.UserFactory(), role=Role.RT_CHAIR, kelurahan=kelurahan
        )
