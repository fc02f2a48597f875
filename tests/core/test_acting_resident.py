"""Who a user may act as: the register entry they are confirmed as, and nobody before that.

An account that claimed an entry (its NIK, name and birth date) and one that typed in an entry of
its own wait alike for the RT chair; neither acts as anybody, reads the entry as its own, or is
told anything that sets the two apart."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from rtkeren import rules as core_rules
from rtkeren import scopes
from rtkeren.models import Resident, Role, RoleAssignment, User
from rtkeren.selectors import privacy as privacy_selectors
from rtkeren.selectors.residents import (
    acting_resident,
    awaits_confirmation,
    confirmed_accounts,
    resident_detail_queryset,
)
from rtkeren.services.accounts import resident_verify
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimant(rt):
    user, _entry = factories.make_claimant(rt)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def registrant(rt, claimant):
    user = factories.make_registrant(rt, "pendaftar_baru", like=claimant.resident)
    return User.objects.get(pk=user.pk)


def test_a_confirmed_resident_acts_as_their_entry(resident_user, resident):
    assert acting_resident(resident_user) == resident
    assert not awaits_confirmation(resident_user)


def test_a_claimant_acts_as_nobody(claimant):
    assert claimant.resident.is_verified
    assert acting_resident(claimant) is None
    assert awaits_confirmation(claimant)
    assert not core_rules.is_self(claimant, claimant.resident)
    assert not privacy_selectors.has_own_data(claimant)
    assert privacy_selectors.own_resident(claimant) is None
    assert not resident_detail_queryset(claimant).filter(pk=claimant.resident.pk).exists()


def test_a_claimant_is_told_what_a_waiting_registrant_is_told(claimant, registrant):
    def answers(user):
        return (
            acting_resident(user),
            awaits_confirmation(user),
            core_rules.is_self(user, user.resident),
            privacy_selectors.has_own_data(user),
            resident_detail_queryset(user).filter(pk=user.resident.pk).exists(),
        )

    assert answers(claimant) == answers(registrant) == (None, True, False, False, False)


def test_the_chairs_confirmation_makes_the_claimant_the_resident(claimant, rt_chair):
    entry = claimant.resident
    resident_verify(resident=entry, by=rt_chair)
    confirmed = User.objects.get(pk=claimant.pk)
    assert acting_resident(confirmed) == entry
    assert core_rules.is_self(confirmed, entry)
    assert privacy_selectors.own_resident(confirmed) == entry


def test_a_resident_role_in_another_rt_confirms_nothing(claimant, other_rt):
    factories.RoleAssignmentFactory(user=claimant, role=Role.RESIDENT, rt=other_rt)
    user = User.objects.get(pk=claimant.pk)
    assert acting_resident(user) is None
    assert awaits_confirmation(user)


def test_an_ended_resident_role_confirms_nothing(resident_user):
    RoleAssignment.objects.filter(user=resident_user, role=Role.RESIDENT).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    user = User.objects.get(pk=resident_user.pk)
    assert acting_resident(user) is None
    assert awaits_confirmation(user)


def test_a_resident_who_moved_away_acts_as_nobody_but_keeps_their_data(resident_user, resident):
    Resident.objects.filter(pk=resident.pk).update(status=Resident.Status.MOVED)
    user = User.objects.get(pk=resident_user.pk)
    assert acting_resident(user) is None
    assert not awaits_confirmation(user)
    assert privacy_selectors.own_resident(user) == resident


def test_nobody_without_an_entry(officer):
    assert acting_resident(AnonymousUser()) is None
    assert not awaits_confirmation(AnonymousUser())
    assert acting_resident(officer) is None
    assert not awaits_confirmation(officer)


def test_read_once_per_user_object(resident_user, resident, django_assert_num_queries):
    user = User.objects.get(pk=resident_user.pk)
    with django_assert_num_queries(2):  # the assignments, then the entry
        assert acting_resident(user) == resident
        assert acting_resident(user) == resident
    with django_assert_num_queries(0):
        assert acting_resident(user) == resident


def test_read_once_for_nobody_too(claimant, django_assert_num_queries):
    with django_assert_num_queries(1):  # the assignments: without a resident role, no entry
        assert acting_resident(claimant) is None
        assert acting_resident(claimant) is None


def test_forgotten_with_the_assignments(claimant, rt_chair):
    assert acting_resident(claimant) is None
    resident_verify(resident=claimant.resident, by=rt_chair)
    scopes.forget_assignments(claimant)
    assert acting_resident(claimant) == claimant.resident


def test_confirmed_accounts_leave_out_the_waiting(rt, resident_user, claimant, registrant):
    residents = Resident.objects.filter(rt=rt)
    assert set(confirmed_accounts(residents)) == {resident_user}


@pytest.mark.parametrize("read_first", [False, True])
def test_own_data_does_not_depend_on_the_acting_resident_being_read_first(
    resident_user, rt_chair, claimant, read_first
):
    # The chair's entry has left the register: still their own data, acting as nobody.
    Resident.objects.filter(user=rt_chair).update(status=Resident.Status.MOVED)

    def own_data(user):
        user = User.objects.get(pk=user.pk)
        if read_first:
            acting_resident(user)
        return privacy_selectors.has_own_data(user)

    assert [own_data(user) for user in (resident_user, rt_chair, claimant)] == [True, True, False]
