"""The register entry a person acts as is shared across their requests through the cache, and
every change of the entry or of the person's roles, by any path, counts from the next request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rtkeren.models import Resident, Role, RoleAssignment, User
from rtkeren.selectors.residents import acting_resident
from rtkeren.services.residents import resident_move, resident_record_death
from rtkeren.services.roles import role_end
from tests import factories

pytestmark = pytest.mark.django_db


def _acting(user: User) -> Resident | None:
    """``acting_resident`` as a new request reads it: with a user object of its own."""
    return acting_resident(User.objects.get(pk=user.pk))


def test_the_next_request_reads_the_entry_without_a_query(resident_user, resident):
    assert _acting(resident_user) == resident
    fresh = User.objects.get(pk=resident_user.pk)

    with CaptureQueriesContext(connection) as captured:
        found = acting_resident(fresh)

    assert found == resident
    assert found.rt.rw.kelurahan_id == resident.rt.rw.kelurahan_id
    assert len(captured) == 0, [query["sql"] for query in captured.captured_queries]


def test_the_nik_and_religion_stay_out_of_the_cache(resident_user, resident):
    _acting(resident_user)
    # The local memory cache of the tests keeps each value pickled, as Redis does.
    entries = [value for key, value in cache._cache.items() if "acting-resident" in key]

    assert entries, "the entry was not cached"
    assert all(entry_bytes.find(b"nik_ciphertext") == -1 for entry_bytes in entries)
    assert all(entry_bytes.find(b"religion") == -1 for entry_bytes in entries)
    assert _acting(resident_user).reveal_nik() == resident.reveal_nik()


def test_an_entry_unverified_or_made_inactive_by_a_save_counts_at_once(resident_user, resident):
    assert _acting(resident_user) == resident

    resident.verification = Resident.Verification.PENDING
    resident.save()
    assert _acting(resident_user) is None

    resident.verification = Resident.Verification.VERIFIED
    resident.save()
    assert _acting(resident_user) == resident

    resident.status = Resident.Status.DECEASED
    resident.save()
    assert _acting(resident_user) is None


def test_an_entry_unlinked_or_linked_elsewhere_leaves_the_first_account(
    resident_user, resident, rt
):
    other = factories.make_user_with_role(Role.RESIDENT, "warga_lain", rt=rt)
    assert _acting(resident_user) == resident
    assert _acting(other) is None

    entry = Resident.objects.get(pk=resident.pk)  # loaded as the admin would
    entry.user = other
    entry.save()

    assert _acting(resident_user) is None
    assert _acting(other) == resident


def test_a_deleted_entry_counts_at_once(resident_user, resident):
    assert _acting(resident_user) == resident

    Resident.objects.get(pk=resident.pk).delete()

    assert _acting(resident_user) is None


def test_the_services_moving_or_recording_a_death_count_at_once(
    resident_user, resident, rt_chair, rt, other_rt, officer
):
    today = timezone.localdate()
    assert _acting(resident_user) == resident
    resident_move(by=officer, resident=resident, happened_on=today, note="pindah", to_rt=other_rt)
    assert _acting(resident_user) is None

    second, entry = factories.make_resident_user(rt, "warga_kedua")
    assert _acting(second) == entry
    resident_record_death(by=rt_chair, resident=entry, happened_on=today, note="wafat")
    assert _acting(second) is None


def test_a_resident_role_that_ends_ends_the_acting_with_the_entry_still_cached(
    resident_user, resident, admin_user
):
    assert _acting(resident_user) == resident

    role_end(
        assignment=RoleAssignment.objects.get(user=resident_user, role=Role.RESIDENT),
        by=admin_user,
    )

    assert _acting(resident_user) is None


def test_logging_in_reads_the_entry_into_the_cache(client, resident_user, resident):
    client.force_login(resident_user)
    fresh = User.objects.get(pk=resident_user.pk)

    with CaptureQueriesContext(connection) as captured:
        found = acting_resident(fresh)

    assert found == resident
    assert len(captured) == 0, [query["sql"] for query in captured.captured_queries]
