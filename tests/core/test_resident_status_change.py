"""Recording from the resident's page that a resident moved away, moved to another RT of the
city, or died: who may, what is checked, and what it does to roles, accounts and the ledger."""

import datetime
import re

import pytest
import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import Participation, Resident, ResidentStatusChange, Role, RoleAssignment
from rtkeren.selectors.accounts import awaiting_verification
from rtkeren.services.accounts import resident_verify
from rtkeren.services.ledger import participation_record
from rtkeren.services.residents import resident_move, resident_record_death
from tests import factories

pytestmark = pytest.mark.django_db


def today():
    """Read the date when a test runs, not when the file is collected: a run can cross midnight."""
    return timezone.localdate()


def last_week():
    return today() - datetime.timedelta(days=7)


def tomorrow():
    return today() + datetime.timedelta(days=1)


def url_for(resident):
    return reverse("resident-status-change", args=[resident.pk])


def current_roles(user, rt=None):
    roles = RoleAssignment.objects.current().filter(user=user)
    return set((roles.filter(rt=rt) if rt is not None else roles).values_list("role", flat=True))


# Who may record.


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("rt_chair", 200),
        ("other_rt_chair", 404),
        ("foreign_officer", 404),
        ("rw_chair", 403),
        ("facilitator", 403),
        ("city_viewer", 403),
        ("admin_user", 403),
        ("resident_user", 403),
        ("pokmas_member", 404),
        ("outsider", 404),
    ],
)
def test_who_may_open_and_post_the_form(client, request, resident, persona, status):
    client.force_login(request.getfixturevalue(persona))
    body = {"kind": "died", "happened_on": last_week().isoformat(), "note": "Sakit"}

    assert client.get(url_for(resident)).status_code == status
    response = client.post(url_for(resident), body)

    resident.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert resident.status == Resident.Status.DECEASED
    else:
        assert response.status_code == status
        assert resident.status == Resident.Status.ACTIVE
        assert not ResidentStatusChange.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, resident):
    response = client.post(url_for(resident), {"kind": "died"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not ResidentStatusChange.objects.exists()


def test_an_officer_of_another_kelurahan_changing_the_id_gets_nothing(
    client, foreign_officer, foreign_rt, resident
):
    own = factories.ResidentFactory(rt=foreign_rt)
    client.force_login(foreign_officer)
    assert client.get(url_for(own)).status_code == 200

    response = client.post(
        url_for(resident), {"kind": "moved_away", "happened_on": last_week(), "note": "Pindah"}
    )

    assert response.status_code == 404
    resident.refresh_from_db()
    assert resident.status == Resident.Status.ACTIVE


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("officer", True),
        ("rt_chair", True),
        ("other_rt_chair", False),
        ("foreign_officer", False),
        ("rw_chair", False),
        ("admin_user", False),
        ("resident_user", False),
    ],
)
def test_the_service_checks_the_permission_itself(request, resident, persona, allowed):
    user = request.getfixturevalue(persona)

    if allowed:
        resident_record_death(by=user, resident=resident, happened_on=last_week(), note="Sakit")
        assert ResidentStatusChange.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied):
            resident_record_death(by=user, resident=resident, happened_on=last_week(), note="Sakit")
        assert not ResidentStatusChange.objects.exists()


def test_the_button_shows_only_to_those_who_may_record(
    client, officer, rt_chair, rw_chair, resident
):
    link = url_for(resident)
    for user, shown in ((officer, True), (rt_chair, True), (rw_chair, False)):
        client.force_login(user)
        page = client.get(reverse("resident-detail", args=[resident.pk])).content.decode()
        assert (link in page) is shown
        assert ("Catat pindah atau meninggal" in page) is shown


def test_the_resident_page_keeps_its_query_count(client, officer, resident, rt):
    client.force_login(officer)
    url = reverse("resident-detail", args=[resident.pk])
    client.get(url)

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    factories.ResidentFactory.create_batch(20, rt=rt)
    factories.RTFactory.create_batch(5, rw=rt.rw)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(one) == len(many)


def test_the_form_query_count_does_not_grow_with_the_rts(client, officer, resident, rt):
    client.force_login(officer)
    client.get(url_for(resident))

    with CaptureQueriesContext(connection) as few:
        client.get(url_for(resident))
    factories.RTFactory.create_batch(12, rw=rt.rw)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url_for(resident)).content.decode()

    assert len(few) == len(many)
    select = re.search(r'<select name="to_rt".*?</select>', page, re.S).group()
    # The empty choice and every RT but the resident's own.
    assert select.count("<option") == 1 + 12


# Bad input.


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kind": "died", "note": "x"}, "happened_on", "Bidang ini tidak boleh kosong."),
        (
            {"kind": "died", "happened_on": tomorrow, "note": "x"},
            "happened_on",
            "Tanggal tidak boleh di masa depan.",
        ),
        (
            {"kind": "died", "happened_on": "1900-01-01", "note": "x"},
            "happened_on",
            "Tanggal tidak boleh sebelum kelahiran warga.",
        ),
        ({"kind": "died", "happened_on": "2026-02-30", "note": "x"}, "happened_on", None),
        ({"kind": "died", "happened_on": last_week, "note": "   "}, "note", None),
        (
            {"kind": "moved_within", "happened_on": last_week, "note": "x"},
            "to_rt",
            "Pilih RT tujuan kepindahan warga.",
        ),
        (
            {"kind": "moved_within", "happened_on": last_week, "note": "x", "to_rt": "99999"},
            "to_rt",
            None,
        ),
        ({"kind": "lost", "happened_on": last_week, "note": "x"}, "kind", None),
    ],
)
def test_bad_input_gets_an_indonesian_error_and_changes_nothing(
    client, rt_chair, resident, body, field, message
):
    client.force_login(rt_chair)
    body = {key: value() if callable(value) else value for key, value in body.items()}

    response = client.post(url_for(resident), body)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    resident.refresh_from_db()
    assert resident.status == Resident.Status.ACTIVE
    assert resident.status_changed_on is None
    assert not ResidentStatusChange.objects.exists()
    assert current_roles(resident.user) == {Role.RESIDENT}


def test_a_resident_who_died_cannot_be_moved_afterwards(officer, resident, other_rt):
    resident_record_death(by=officer, resident=resident, happened_on=last_week(), note="Sakit")

    with pytest.raises(ValidationError, match="sudah tercatat"):
        resident_move(by=officer, resident=resident, happened_on=today(), note="x", to_rt=other_rt)
    assert ResidentStatusChange.objects.count() == 1


def test_a_pending_registration_is_decided_not_moved(officer, rt):
    pending = factories.ResidentFactory(rt=rt, verification=Resident.Verification.PENDING)

    with pytest.raises(ValidationError, match="belum diverifikasi"):
        resident_move(by=officer, resident=pending, happened_on=last_week(), note="x")
    pending.refresh_from_db()
    assert pending.status == Resident.Status.ACTIVE


def test_a_move_cannot_predate_the_last_one(officer, resident, other_rt, rt):
    resident_move(by=officer, resident=resident, happened_on=last_week(), note="a", to_rt=other_rt)

    with pytest.raises(ValidationError) as caught:
        resident_move(
            by=officer,
            resident=resident,
            happened_on=last_week() - datetime.timedelta(days=1),
            note="b",
            to_rt=rt,
        )
    assert "happened_on" in caught.value.error_dict
    resident.refresh_from_db()
    assert resident.rt == other_rt


# What a record does.


def test_a_move_within_the_city_lands_in_the_new_rt_for_its_chair_to_confirm(
    client, rt_chair, resident, rt, foreign_rt, period
):
    participation = participation_record(
        resident=resident, kind="forum_attended", subject=resident.rt
    )
    destination_chair = factories.make_user_with_role(Role.RT_CHAIR, "ketua_tujuan", rt=foreign_rt)
    client.force_login(rt_chair)

    response = client.post(
        url_for(resident),
        {
            "kind": "moved_within",
            "to_rt": foreign_rt.pk,
            "happened_on": last_week().isoformat(),
            "note": "Ikut keluarga ke Pakunden",
        },
    )

    # The page is now out of the origin chair's reach: they go back to the list.
    assert response.status_code == 302
    assert response.url == reverse("resident-list")
    resident.refresh_from_db()
    assert resident.rt == foreign_rt
    assert resident.status == Resident.Status.ACTIVE
    assert resident.status_changed_on == last_week()
    assert resident.is_verified
    change = ResidentStatusChange.objects.get()
    assert (change.kind, change.from_rt, change.to_rt, change.recorded_by) == (
        "moved_within",
        rt,
        foreign_rt,
        rt_chair,
    )
    assert change.note == "Ikut keluarga ke Pakunden"
    # The resident role of the old RT ended the day before the move; none yet in the new one.
    assert current_roles(resident.user) == set()
    ended = RoleAssignment.objects.get(user=resident.user, role=Role.RESIDENT, rt=rt)
    assert ended.ends_on == last_week() - datetime.timedelta(days=1)
    # Past participation stays where it happened.
    participation.refresh_from_db()
    assert participation.rt == rt
    assert Participation.objects.filter(rt=foreign_rt).count() == 0
    # The new RT's chair confirms the account there, as for a registration.
    assert resident in awaiting_verification(destination_chair)
    assert resident not in awaiting_verification(rt_chair)
    resident_verify(resident=resident, by=destination_chair)
    assert current_roles(resident.user, foreign_rt) == {Role.RESIDENT}
    assert resident.user.is_active


def test_a_move_out_of_the_city_ends_the_roles_in_the_rt_and_keeps_the_account(
    client, officer, rt, resident
):
    factories.RoleAssignmentFactory(user=resident.user, role=Role.POKMAS_MEMBER, rt=rt)
    client.force_login(officer)

    response = client.post(
        url_for(resident),
        {"kind": "moved_away", "happened_on": today().isoformat(), "note": "Pindah ke Malang"},
    )

    assert response.status_code == 302
    assert response.url == reverse("resident-detail", args=[resident.pk])
    resident.refresh_from_db()
    assert resident.status == Resident.Status.MOVED
    assert resident.rt == rt
    assert resident.status_changed_on == today()
    assert current_roles(resident.user) == set()
    assert resident.user.is_active
    assert resident not in awaiting_verification(officer)
    page = client.get(response.url).content.decode()
    assert "Pindah" in page
    assert url_for(resident) not in page


def test_a_death_ends_the_roles_and_closes_an_account_left_without_any(officer, resident):
    resident_record_death(by=officer, resident=resident, happened_on=last_week(), note="Sakit")

    resident.refresh_from_db()
    assert resident.status == Resident.Status.DECEASED
    assert resident.status_changed_on == last_week()
    assert current_roles(resident.user) == set()
    resident.user.refresh_from_db()
    assert not resident.user.is_active


def test_a_death_leaves_roles_outside_the_rt_to_the_administrator(rt_chair, resident, kelurahan):
    factories.RoleAssignmentFactory(user=resident.user, role=Role.OFFICER, kelurahan=kelurahan)

    resident_record_death(by=rt_chair, resident=resident, happened_on=last_week(), note="Sakit")

    assert current_roles(resident.user) == {Role.OFFICER}
    resident.user.refresh_from_db()
    assert resident.user.is_active


def test_an_rt_chair_who_moves_away_stops_chairing_the_rt(officer, rt_chair, rt):
    chair_entry = rt_chair.resident

    resident_move(by=officer, resident=chair_entry, happened_on=last_week(), note="Pindah")

    assert current_roles(rt_chair) == set()
    assert not RoleAssignment.objects.current().filter(role=Role.RT_CHAIR, rt=rt).exists()


def test_the_change_is_in_the_history_with_who_and_why(client, officer, resident):
    resident_move(by=officer, resident=resident, happened_on=last_week(), note="Pindah kerja")

    record = resident.history.first()
    assert record.history_user == officer
    assert record.status == Resident.Status.MOVED
    assert record.status_changed_on == last_week()
    assert "Pindah kerja" in record.history_change_reason
    client.force_login(officer)
    page = client.get(reverse("resident-history", args=[resident.pk])).content.decode()
    assert "Pindah" in page


def test_a_move_within_the_city_needs_another_rt(officer, resident, rt):
    with pytest.raises(ValidationError) as caught:
        resident_move(by=officer, resident=resident, happened_on=last_week(), note="x", to_rt=rt)

    assert caught.value.error_dict["to_rt"][0].messages == [
        "Pilih RT selain RT tempat warga tinggal sekarang."
    ]
    assert not ResidentStatusChange.objects.exists()


def test_the_admin_lists_the_changes_read_only(client, admin_user, officer, resident, other_rt):
    resident_move(by=officer, resident=resident, happened_on=last_week(), note="x", to_rt=other_rt)
    change = ResidentStatusChange.objects.get()
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_residentstatuschange_changelist"))
    detail = client.get(reverse("admin:rtkeren_residentstatuschange_change", args=[change.pk]))
    posted = client.post(
        reverse("admin:rtkeren_residentstatuschange_change", args=[change.pk]), {"note": "y"}
    )

    assert listing.status_code == 200
    assert resident.name in listing.content.decode()
    assert detail.status_code == 200
    assert posted.status_code == 403
    change.refresh_from_db()
    assert change.note == "x"


def test_a_stale_copy_does_not_let_the_old_chair_record_again(
    officer, rt_chair, resident, other_rt
):
    stale = Resident.objects.get(pk=resident.pk)
    resident_move(by=officer, resident=resident, happened_on=last_week(), note="a", to_rt=other_rt)

    with pytest.raises(PermissionDenied):
        resident_record_death(by=rt_chair, resident=stale, happened_on=today(), note="b")
    assert ResidentStatusChange.objects.count() == 1


@pytest.mark.parametrize("persona", ["officer", "rt_chair", "rw_chair"])
def test_the_button_costs_the_resident_page_no_query(request, resident, persona):
    """The page already reads the user's roles for the NIK reveal; asking for the move button
    reuses them."""
    user = request.getfixturevalue(persona)
    rules.has_perm("rtkeren.reveal_nik", user, resident)

    with CaptureQueriesContext(connection) as queries:
        rules.has_perm("rtkeren.record_resident_status", user, resident)

    assert len(queries) == 0
