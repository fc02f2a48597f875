"""The admin of wilayah, communities, Pokmas, periods and role assignments."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import (
    RT,
    RW,
    BaseEntry,
    Community,
    Kecamatan,
    Kelurahan,
    Kota,
    Period,
    Pokmas,
    Role,
    RoleAssignment,
    RtCeiling,
)
from rtkeren.services.ledger import participation_record
from tests import factories

pytestmark = pytest.mark.django_db

serial = itertools.count(1)


def new_rt():
    n = next(serial)
    return factories.RTFactory(
        rw=factories.RWFactory(kelurahan=factories.kelurahan(), number=100 + n), number=n
    )


def make_kota():
    n = next(serial)
    return Kota.objects.create(code=f"36.{n % 90 + 10}", name=f"Kota {n}")


def make_kecamatan():
    n = next(serial)
    return Kecamatan.objects.create(
        kota=Kota.objects.get(code="35.72"), code=f"35.72.{n % 90 + 10}", name=f"Kecamatan {n}"
    )


def make_kelurahan():
    n = next(serial)
    return Kelurahan.objects.create(
        kecamatan=Kecamatan.objects.get(code="35.72.01"),
        code=f"35.72.01.{n % 8000 + 2000}",
        name=f"Kelurahan {n}",
    )


def make_rw():
    return new_rt().rw


def make_community():
    rt = new_rt()
    community = factories.CommunityFactory(kelurahan=rt.rw.kelurahan, rt=rt)
    factories.ResidentFactory(rt=rt)
    return community


def make_pokmas():
    return factories.PokmasFactory(rt=new_rt())


def make_period():
    year = 2000 + next(serial)
    period = factories.PeriodFactory(year=year)
    RtCeiling.objects.create(period=period, rt=new_rt(), ceiling=45_000_000)
    return period


def make_assignment():
    rt = new_rt()
    factories.CommunityFactory(kelurahan=rt.rw.kelurahan)
    return factories.RoleAssignmentFactory(role=Role.RT_CHAIR, rt=rt)


MODELS = {
    Kota: make_kota,
    Kecamatan: make_kecamatan,
    Kelurahan: make_kelurahan,
    RW: make_rw,
    RT: new_rt,
    Community: make_community,
    Pokmas: make_pokmas,
    Period: make_period,
    RoleAssignment: make_assignment,
}


def admin_url(model, action, *args):
    return reverse(f"admin:rtkeren_{model._meta.model_name}_{action}", args=args)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_query_count_does_not_grow_with_rows(model, admin_client):
    url = admin_url(model, "changelist")
    MODELS[model]()
    admin_client.get(url)
    with_few, response = queries_for(admin_client, url)
    rows_before = response.context["cl"].result_count
    for _ in range(6):
        MODELS[model]()

    with_many, response = queries_for(admin_client, url)

    assert response.context["cl"].result_count == rows_before + 6
    assert with_few == with_many


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_add_form_query_count_does_not_grow_with_choices(model, admin_client):
    url = admin_url(model, "add")
    MODELS[model]()
    admin_client.get(url)
    with_few, _response = queries_for(admin_client, url)
    for _ in range(6):
        MODELS[model]()

    with_many, _response = queries_for(admin_client, url)

    assert with_few == with_many


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_form_loads(model, admin_client):
    obj = MODELS[model]()

    response = admin_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_pages_are_for_the_admin_only(model, client, officer):
    client.force_login(officer)

    response = client.get(admin_url(model, "changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_rt_choices_name_their_kelurahan(admin_client, rt):
    response = admin_client.get(admin_url(Pokmas, "add"))

    assert "RT 002 / RW 007, Blitar" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Blitar", {"RT 002 / RW 007"}), ("35.72.02.1001", {"RT 001 / RW 001"})],
)
def test_rt_search_by_kelurahan_name_or_code(query, expected, admin_client, rt, foreign_rt):
    response = admin_client.get(admin_url(RT, "changelist"), {"q": query})

    assert {str(found) for found in response.context["cl"].result_list} == expected


def test_rw_search_by_kelurahan_code(admin_client, rt, foreign_rt):
    response = admin_client.get(admin_url(RW, "changelist"), {"q": "35.72.02.1002"})

    assert list(response.context["cl"].result_list) == [rt.rw]


# Role assignments.


def test_assignment_filter_by_kelurahan_covers_every_scope_in_it(
    admin_client, kelurahan, officer, rw_chair, rt_chair, community_lead, foreign_officer
):
    response = admin_client.get(
        admin_url(RoleAssignment, "changelist"), {"kelurahan": kelurahan.pk}
    )

    users = {assignment.user for assignment in response.context["cl"].result_list}
    assert {officer, rw_chair, rt_chair, community_lead} <= users
    assert foreign_officer not in users


def test_assignment_filter_by_term(admin_client, rt):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    ended = factories.RoleAssignmentFactory(
        role=Role.POKMAS_MEMBER, rt=rt, starts_on=today - 9 * day, ends_on=today - day
    )
    current = factories.RoleAssignmentFactory(role=Role.POKMAS_MEMBER, rt=rt)
    upcoming = factories.RoleAssignmentFactory(
        role=Role.POKMAS_MEMBER, rt=rt, starts_on=today + day
    )
    url = admin_url(RoleAssignment, "changelist")

    found = {
        term: set(admin_client.get(url, {"term": term}).context["cl"].result_list)
        for term in ("current", "upcoming", "ended")
    }

    assert found == {"current": {current}, "upcoming": {upcoming}, "ended": {ended}}


def test_assignment_list_shows_scopes_with_their_kelurahan(admin_client, rt_chair):
    response = admin_client.get(admin_url(RoleAssignment, "changelist"))

    assert "RT 002 / RW 007, Blitar" in response.text


def test_user_is_chosen_by_autocomplete(admin_client):
    response = admin_client.get(admin_url(RoleAssignment, "add"))

    assert '<select name="user" required id="id_user" class="admin-autocomplete"' in response.text


def assignment_form(user, role, **scope):
    return {
        "user": user.pk,
        "role": role,
        "starts_on": timezone.localdate().isoformat(),
        "note": "",
        **{field: obj.pk for field, obj in scope.items()},
    }


def test_admin_adds_an_assignment_with_history(admin_client, admin_user, rt):
    user = factories.UserFactory()

    response = admin_client.post(
        admin_url(RoleAssignment, "add"), assignment_form(user, Role.POKMAS_MEMBER, rt=rt)
    )

    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.history.get().history_user == admin_user


def test_admin_form_refuses_a_scope_that_does_not_fit(admin_client, kelurahan):
    user = factories.UserFactory()

    response = admin_client.post(
        admin_url(RoleAssignment, "add"), assignment_form(user, Role.RT_CHAIR, kelurahan=kelurahan)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "kelurahan": ["Peran ini tidak memakai wilayah ini."],
        "rt": ["Peran ini memerlukan wilayah ini."],
    }
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_admin_form_refuses_a_second_chair_in_indonesian(admin_client, rt_chair, rt):
    user = factories.UserFactory()

    response = admin_client.post(
        admin_url(RoleAssignment, "add"), assignment_form(user, Role.RT_CHAIR, rt=rt)
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["__all__"]
    assert len(errors["__all__"]) == 1
    assert "sudah memiliki ketua" in errors["__all__"][0]
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_admin_can_change_an_assignment_without_clashing_with_itself(admin_client, rt_chair, rt):
    assignment = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)
    data = assignment_form(rt_chair, Role.RT_CHAIR, rt=rt)
    data["starts_on"] = assignment.starts_on.isoformat()
    data["note"] = "SK Lurah"

    response = admin_client.post(admin_url(RoleAssignment, "change", assignment.pk), data)

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.note == "SK Lurah"


def test_assignment_history_page_loads(admin_client, rt_chair):
    assignment = RoleAssignment.objects.get(user=rt_chair, role=Role.RT_CHAIR)

    response = admin_client.get(admin_url(RoleAssignment, "history", assignment.pk))

    assert response.status_code == 200


def test_end_action_ends_the_selected_assignments(admin_client, pokmas_member, community_lead):
    selected = list(RoleAssignment.objects.filter(user__in=[pokmas_member, community_lead]))

    response = admin_client.post(
        admin_url(RoleAssignment, "changelist"),
        {"action": "end_yesterday", "_selected_action": [a.pk for a in selected]},
        follow=True,
    )

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert {a.ends_on for a in RoleAssignment.objects.filter(pk__in=[a.pk for a in selected])} == {
        yesterday
    }
    assert "2 penugasan telah diakhiri." in response.text


# Periods.


def test_start_next_period_action(admin_client, rt):
    period = factories.PeriodFactory(
        year=2026,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        fisik_percent=65,
    )
    RtCeiling.objects.create(period=period, rt=rt, ceiling=55_000_000)
    member = factories.ResidentFactory(rt=rt)

    response = admin_client.post(
        admin_url(Period, "changelist"),
        {"action": "start_next_period", "_selected_action": [period.pk]},
        follow=True,
    )

    following = Period.objects.get(year=2027)
    assert BaseEntry.objects.filter(period=following, resident=member, rt=rt).exists()
    assert (following.starts_on, following.ends_on) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert following.fisik_percent == 65
    assert following.rt_ceilings.get().ceiling == 55_000_000
    assert (
        "Tahun anggaran 2027 telah dimulai dengan pengaturan dari Tahun anggaran 2026."
        in response.text
    )


def test_a_period_added_in_the_admin_takes_the_actions_of_its_days(admin_client, resident, rt):
    """A potential recorded before any period existed counts once the officer adds its year."""
    early = participation_record(
        resident=resident,
        kind="potential_recorded",
        subject=rt,
        occurred_on=datetime.date(2031, 3, 1),
    )

    response = admin_client.post(
        admin_url(Period, "add"),
        {
            "year": 2031,
            "starts_on": "2031-01-01",
            "ends_on": "2031-12-31",
            "is_open": "on",
            "rt_ceiling": 50_000_000,
            "fisik_percent": 70,
            "split_tolerance": 0,
            "split_threshold": 10_000_000,
            "threshold_commissioning": 10,
            "threshold_designing": 10,
            "threshold_delivery": 10,
            "threshold_assessment": 10,
            "evaluation_window_days": 30,
            "rt_ceilings-TOTAL_FORMS": 0,
            "rt_ceilings-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302
    early.refresh_from_db()
    added = Period.objects.get(year=2031)
    assert early.period == added
    # Its scorecard base is filled at once from the register.
    assert list(BaseEntry.objects.filter(period=added).values_list("resident_id", "rt_id")) == [
        (resident.pk, rt.pk)
    ]


def test_start_next_period_action_reports_a_clash(admin_client):
    old = factories.PeriodFactory(year=2025)
    factories.PeriodFactory(year=2026)

    response = admin_client.post(
        admin_url(Period, "changelist"),
        {"action": "start_next_period", "_selected_action": [old.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert Period.objects.count() == 2
    assert "error" in {message.level_tag for message in response.context["messages"]}


def test_the_close_action_closes_through_the_service(admin_client, admin_user):
    from assessment.models import FrozenScorecard

    period = factories.PeriodFactory(year=2026)

    response = admin_client.post(
        admin_url(Period, "changelist"),
        {"action": "close_periods", "_selected_action": [period.pk]},
        follow=True,
    )

    period.refresh_from_db()
    assert (period.is_open, period.closed_by) == (False, admin_user)
    assert FrozenScorecard.objects.filter(period=period, kelurahan__isnull=True).exists()
    assert "telah ditutup; angkanya dibekukan" in response.text

    again = admin_client.post(
        admin_url(Period, "changelist"),
        {"action": "close_periods", "_selected_action": [period.pk]},
        follow=True,
    )
    assert "sudah ditutup" in again.text
    assert FrozenScorecard.objects.filter(period=period, kelurahan__isnull=True).count() == 1


def _period_form(period, **changes):
    data = {
        "year": period.year,
        "starts_on": period.starts_on.isoformat(),
        "ends_on": period.ends_on.isoformat(),
        "rt_ceiling": period.rt_ceiling,
        "fisik_percent": period.fisik_percent,
        "split_tolerance": period.split_tolerance,
        "split_threshold": period.split_threshold,
        "threshold_commissioning": 10,
        "threshold_designing": 10,
        "threshold_delivery": 10,
        "threshold_assessment": 10,
        "evaluation_window_days": 30,
        "rt_ceilings-TOTAL_FORMS": 0,
        "rt_ceilings-INITIAL_FORMS": 0,
    }
    if period.is_open:
        data["is_open"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_switching_open_off_closes_and_switching_it_on_again_is_refused(admin_client, admin_user):
    from assessment.models import FrozenScorecard

    period = factories.PeriodFactory(year=2026)

    response = admin_client.post(
        admin_url(Period, "change", period.pk), _period_form(period, is_open=None)
    )

    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.is_open, period.closed_by) == (False, admin_user)
    assert FrozenScorecard.objects.filter(period=period).exists()

    response = admin_client.post(
        admin_url(Period, "change", period.pk),
        _period_form(period, is_open="on", threshold_delivery=20),
        follow=True,
    )

    period.refresh_from_db()
    assert not period.is_open
    assert "tidak dapat dibuka kembali" in response.text


def test_staff_without_the_period_permission_cannot_close(client, admin_user):
    period = factories.PeriodFactory(year=2026)
    staff = factories.UserFactory(username="staf", is_staff=True)
    client.force_login(staff)

    response = client.post(
        admin_url(Period, "changelist"),
        {"action": "close_periods", "_selected_action": [period.pk]},
    )

    assert response.status_code == 403
    assert Period.objects.get(pk=period.pk).is_open


def test_a_closed_periods_dates_and_thresholds_cannot_change(admin_client, admin_user):
    period = factories.PeriodFactory(year=2026)
    admin_client.post(admin_url(Period, "change", period.pk), _period_form(period, is_open=None))

    admin_client.post(
        admin_url(Period, "change", period.pk),
        _period_form(period, threshold_delivery=20, ends_on="2027-06-30"),
    )

    period.refresh_from_db()
    assert (period.threshold_delivery, period.ends_on.isoformat()) == (10, "2026-12-31")


def _approved(rt, period, amount):
    activity = factories.ActivityFactory(rt=rt, period=period, status="approved")
    factories.BudgetLineFactory(activity=activity, quantity=1, unit="paket", unit_price=amount)
    return activity


def test_a_ceiling_cannot_go_below_what_an_rt_has_approved(admin_client, rt, other_rt):
    period = factories.PeriodFactory(year=2026)
    _approved(rt, period, 45_000_000)
    _approved(other_rt, period, 30_000_000)
    RtCeiling.objects.create(period=period, rt=other_rt, ceiling=35_000_000)
    own = RtCeiling.objects.get(rt=other_rt)

    lowered_default = admin_client.post(
        admin_url(Period, "change", period.pk),
        _period_form(
            period,
            rt_ceiling=40_000_000,
            **{
                "rt_ceilings-TOTAL_FORMS": 1,
                "rt_ceilings-INITIAL_FORMS": 1,
                "rt_ceilings-0-id": own.pk,
                "rt_ceilings-0-period": period.pk,
                "rt_ceilings-0-rt": own.rt_id,
                "rt_ceilings-0-ceiling": 35_000_000,
            },
        ),
    )
    lowered_own = admin_client.post(
        admin_url(Period, "change", period.pk),
        _period_form(
            period,
            **{
                "rt_ceilings-TOTAL_FORMS": 1,
                "rt_ceilings-INITIAL_FORMS": 1,
                "rt_ceilings-0-id": own.pk,
                "rt_ceilings-0-period": period.pk,
                "rt_ceilings-0-rt": own.rt_id,
                "rt_ceilings-0-ceiling": 29_999_999,
            },
        ),
    )
    kept_above = admin_client.post(
        admin_url(Period, "change", period.pk),
        _period_form(
            period,
            rt_ceiling=45_000_000,
            **{
                "rt_ceilings-TOTAL_FORMS": 1,
                "rt_ceilings-INITIAL_FORMS": 1,
                "rt_ceilings-0-id": own.pk,
                "rt_ceilings-0-period": period.pk,
                "rt_ceilings-0-rt": own.rt_id,
                "rt_ceilings-0-ceiling": 30_000_000,
            },
        ),
    )

    assert lowered_default.status_code == 200
    assert f"{rt.full_name} memiliki Rp45.000.000 anggaran RT Keren" in lowered_default.text
    assert lowered_own.status_code == 200
    assert "tidak boleh lebih rendah (Rp29.999.999)" in lowered_own.text
    assert kept_above.status_code == 302
    period.refresh_from_db()
    own.refresh_from_db()
    assert (period.rt_ceiling, own.ceiling) == (45_000_000, 30_000_000)
