"""Activity pages: who sees what, the status buttons, the transition endpoint, the history."""

import pytest
import rules
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rtkeren.models import Activity, ActivityStatus, ActivityTransition
from rtkeren.selectors.activities import activities_visible_to
from rtkeren.services import activities as services
from tests import factories

pytestmark = pytest.mark.django_db

S = ActivityStatus
PERSONAS = [
    "admin_user",
    "city_viewer",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "outsider",
    "foreign_officer",
]
ALL = set("ABCDEFG")
#: A: the RT's proposal, B: the other RT's, C: another kelurahan's, D: kelurahan-wide, E: the
#: community's, F: someone's draft in the RT, G: the resident's own draft in the RT.
VISIBLE = {
    "admin_user": ALL,
    "city_viewer": ALL,
    "officer": ALL - {"C"},
    "facilitator": ALL - {"C"},
    "rw_chair": set("ADEFG"),
    "rt_chair": set("ADEFG"),
    "other_rt_chair": set("BDE"),
    "pokmas_member": set("ADE"),
    "community_lead": set("DE"),
    "resident_user": set("ADEG"),
    "outsider": {"C"},
    "foreign_officer": {"C"},
}


@pytest.fixture
def world(rt, other_rt, foreign_rt, kelurahan, community, resident_user, period):
    def make(title, **fields):
        fields.setdefault("status", S.PROPOSED)
        return factories.ActivityFactory(title=title, period=period, **fields)

    return {
        "A": make("A", rt=rt),
        "B": make("B", rt=other_rt),
        "C": make("C", rt=foreign_rt),
        "D": make("D", rt=None, kelurahan=kelurahan),
        "E": make("E", rt=None, kelurahan=kelurahan, community=community),
        "F": make("F", rt=rt, status=S.DRAFT),
        "G": make("G", rt=rt, status=S.DRAFT, author=resident_user),
    }


def detail(activity):
    return reverse("activity-detail", args=[activity.pk])


def transition_url(activity, to_status):
    return reverse("activity-transition", args=[activity.pk, to_status])


# Who sees what.


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_exactly_what_the_persona_may_see(request, client, world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    response = client.get(reverse("activity-list"))

    assert response.status_code == 200
    assert {a.title for a in response.context["activities"]} == VISIBLE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_opens_only_in_scope(request, client, world, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)

    for name, activity in world.items():
        expected = 200 if name in VISIBLE[persona] else 404
        assert client.get(detail(activity)).status_code == expected, name


@pytest.mark.parametrize("persona", PERSONAS)
def test_view_permission_agrees_with_the_list(request, world, persona):
    user = request.getfixturevalue(persona)
    visible = set(activities_visible_to(user).values_list("title", flat=True))

    for name, activity in world.items():
        assert rules.has_perm("rtkeren.view_activity", user, activity) == (name in visible), name


def test_pages_need_login(client, world):
    activity = world["A"]
    for url in (reverse("activity-list"), detail(activity), transition_url(activity, "approved")):
        response = client.post(url) if "status" in url else client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


# The list.


def test_list_shows_the_budget_total_in_rupiah(client, officer, rt, period):
    activity = factories.ActivityFactory(rt=rt, period=period, status=S.PROPOSED)
    factories.BudgetLineFactory(activity=activity, quantity=20, unit_price=35_000)
    factories.BudgetLineFactory(activity=activity, quantity=1, unit_price=49_300_000)
    client.force_login(officer)

    response = client.get(reverse("activity-list"))

    assert "Rp50.000.000" in response.text
    assert "RT 002 / RW 007" in response.text
    assert "Diusulkan" in response.text


def test_list_filters_by_status_and_period(client, officer, rt, period):
    last_year = factories.PeriodFactory(year=period.year - 1)
    factories.ActivityFactory(title="Usulan ini", rt=rt, period=period, status=S.PROPOSED)
    factories.ActivityFactory(title="Disetujui ini", rt=rt, period=period, status=S.APPROVED)
    factories.ActivityFactory(title="Tahun lalu", rt=rt, period=last_year, status=S.PROPOSED)
    client.force_login(officer)

    def titles(**query):
        response = client.get(reverse("activity-list"), query)
        return {a.title for a in response.context["activities"]}

    assert titles(status="proposed") == {"Usulan ini", "Tahun lalu"}
    assert titles(period=last_year.pk) == {"Tahun lalu"}
    assert titles(status="proposed", period=period.pk) == {"Usulan ini"}
    assert titles(status="tidak-ada") == {"Usulan ini", "Disetujui ini", "Tahun lalu"}


def test_list_paginates_by_25_keeping_the_filter(client, officer, rt, period):
    factories.ActivityFactory.create_batch(27, rt=rt, period=period, status=S.APPROVED)
    client.force_login(officer)

    first = client.get(reverse("activity-list"), {"status": "approved"})
    second = client.get(reverse("activity-list"), {"status": "approved", "page": 2})

    assert len(first.context["activities"]) == 25
    assert len(second.context["activities"]) == 2
    assert "?status=approved&amp;page=2" in first.text


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(client, officer, rt, other_rt, kelurahan, community):
    first = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    factories.BudgetLineFactory(activity=first)
    client.force_login(officer)
    one = count_queries(client, reverse("activity-list"))

    for place in (rt, other_rt, None) * 4:
        activity = factories.ActivityFactory(
            rt=place,
            kelurahan=kelurahan,
            community=community if place is None else None,
            status=S.APPROVED,
        )
        factories.BudgetLineFactory.create_batch(2, activity=activity)
    many = count_queries(client, reverse("activity-list"))

    assert Activity.objects.count() == 13
    assert many == one


# The detail.


def test_detail_shows_fields_budget_and_timeline(client, officer, resident_user, rt):
    activity = factories.ActivityFactory(
        rt=rt, author=resident_user, title="Pelatihan membatik tulis", status=S.DRAFT
    )
    factories.BudgetLineFactory(activity=activity, item="Kain mori", quantity=20, unit_price=35_000)
    factories.BudgetLineFactory(activity=activity, item="Malam", quantity=5, unit_price=60_000)
    services.activity_propose(activity=activity, by=resident_user)
    client.force_login(officer)

    page = client.get(detail(activity)).text

    assert "Pelatihan membatik tulis" in page
    assert "Kain mori" in page
    assert "Rp700.000" in page
    assert "Rp1.000.000" in page  # the total
    assert "mengubah status dari “Draf” menjadi “Diusulkan”" in page


def test_detail_offers_the_officer_approve_reject_and_cancel(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    response = client.get(detail(activity))

    actions = [action["transition"].target for action in response.context["actions"]]
    assert actions == [S.APPROVED, S.REJECTED, S.CANCELLED]
    assert transition_url(activity, "approved") in response.text
    assert 'id="rejected-reason"' in response.text
    assert 'id="cancelled-reason"' in response.text


def test_detail_offers_the_author_withdraw_and_cancel(client, resident_user, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED, author=resident_user)
    client.force_login(resident_user)

    response = client.get(detail(activity))

    actions = [action["transition"].target for action in response.context["actions"]]
    assert actions == [S.DRAFT, S.CANCELLED]


@pytest.mark.parametrize("persona", ["rt_chair", "facilitator", "pokmas_member", "admin_user"])
def test_detail_offers_no_button_to_who_may_not_use_it(request, client, rt, persona):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail(activity))

    assert response.context["actions"] == []
    assert "/status/" not in response.text


def test_detail_explains_a_blocked_button(client, resident_user, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED, author=resident_user)
    services.activity_freeze_content(activity=activity)
    client.force_login(resident_user)

    response = client.get(detail(activity))

    blocked = {a["transition"].target: a["blocked"] for a in response.context["actions"]}
    assert "dikunci" in blocked[S.DRAFT]
    assert blocked[S.CANCELLED] is None
    assert transition_url(activity, "draft") not in response.text


def test_detail_query_count_does_not_grow_with_timeline_or_budget(
    client, officer, rt, rt_chair, resident_user
):
    activity = factories.ActivityFactory(rt=rt, author=resident_user, status=S.DRAFT)
    factories.BudgetLineFactory(activity=activity)
    services.activity_propose(activity=activity, by=resident_user)
    client.force_login(officer)
    one = count_queries(client, detail(activity))

    for _round in range(3):
        services.activity_withdraw(activity=activity, by=resident_user)
        services.activity_propose(activity=activity, by=resident_user)
    factories.BudgetLineFactory.create_batch(5, activity=activity)
    activity.interests.add(*factories.InterestFactory.create_batch(3))
    many = count_queries(client, detail(activity))

    assert activity.transitions.count() == 7
    assert many == one


# The transition endpoint.


def test_officer_approves_through_the_page(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    response = client.post(transition_url(activity, "approved"), follow=True)

    assert response.redirect_chain == [(detail(activity), 302)]
    assert "Status kegiatan kini: Disetujui." in response.text
    activity.refresh_from_db()
    assert activity.status == S.APPROVED


def test_officer_rejects_with_a_reason_through_the_page(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    client.post(transition_url(activity, "rejected"), {"reason": "Tidak sesuai juknis."})

    activity.refresh_from_db()
    assert (activity.status, activity.decision_reason) == (S.REJECTED, "Tidak sesuai juknis.")
    assert "Tidak sesuai juknis." in client.get(detail(activity)).text


def test_rejecting_without_reason_through_the_page_explains_and_changes_nothing(
    client, officer, rt
):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    response = client.post(transition_url(activity, "rejected"), {"reason": ""}, follow=True)

    assert "Mohon tuliskan alasannya" in response.text
    activity.refresh_from_db()
    assert activity.status == S.PROPOSED


def test_a_stale_double_submit_explains_and_changes_nothing(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)
    client.post(transition_url(activity, "approved"))

    response = client.post(transition_url(activity, "approved"), follow=True)

    assert "sehingga perubahan ini tidak dapat dilakukan lagi" in response.text
    assert ActivityTransition.objects.filter(activity=activity).count() == 1


@pytest.mark.parametrize("persona", ["resident_user", "rt_chair", "facilitator", "city_viewer"])
def test_a_visible_activity_moved_by_the_wrong_person_is_forbidden(request, client, rt, persona):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(transition_url(activity, "approved"))

    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.status == S.PROPOSED


@pytest.mark.parametrize("persona", ["outsider", "foreign_officer", "other_rt_chair"])
def test_an_activity_out_of_scope_is_not_found(request, client, rt, persona):
    activity = factories.ActivityFactory(rt=rt, status=S.APPROVED)
    client.force_login(request.getfixturevalue(persona))

    response = client.post(transition_url(activity, "in_delivery"))

    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.status == S.APPROVED


def test_an_unknown_status_is_not_found(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    assert client.post(transition_url(activity, "published")).status_code == 404


def test_the_transition_endpoint_takes_only_post(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(officer)

    assert client.get(transition_url(activity, "approved")).status_code == 405
    activity.refresh_from_db()
    assert activity.status == S.PROPOSED


# The history.


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("officer", 200),
        ("admin_user", 200),
        ("facilitator", 403),
        ("rt_chair", 403),
        ("resident_user", 403),
        ("city_viewer", 403),
        ("foreign_officer", 404),
        ("outsider", 404),
    ],
)
def test_history_is_for_the_kelurahan_officer_and_admins(request, client, rt, persona, expected):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("activity-history", args=[activity.pk])).status_code == expected


def test_history_shows_what_changed(client, officer, rt, other_rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED, title="Judul lama")
    activity.title = "Judul baru"
    activity.rt = other_rt
    activity.save()
    services.activity_approve(activity=activity, by=officer)
    client.force_login(officer)

    page = client.get(reverse("activity-history", args=[activity.pk])).text

    assert "Judul lama → Judul baru" in page
    assert "RT 002 / RW 007 → RT 001 / RW 008" in page
    assert "Diusulkan → Disetujui" in page


def test_history_query_count_does_not_grow(client, officer, rt, other_rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    activity.rt = other_rt
    activity.save()
    url = reverse("activity-history", args=[activity.pk])
    client.force_login(officer)
    one = count_queries(client, url)

    for number in range(10):
        activity.title = f"Judul {number}"
        activity.rt = rt if number % 2 else other_rt
        activity.save()
    many = count_queries(client, url)

    assert activity.history.count() == 12
    assert many == one


def test_history_paginates(client, officer, rt):
    activity = factories.ActivityFactory(rt=rt, status=S.PROPOSED)
    for number in range(30):
        activity.title = f"Judul {number}"
        activity.save()
    client.force_login(officer)

    second = client.get(reverse("activity-history", args=[activity.pk]), {"page": 2})

    assert len(second.context["entries"]) == 6
    assert second.context["entries"][-1].record.history_type == "+"
    assert "Judul 4 → Judul 5" in client.get(reverse("activity-history", args=[activity.pk])).text


def test_the_activity_page_points_to_each_stage_page_that_fits_its_status(client, officer, rt):
    from rtkeren.models import ActivityStatus

    draft = factories.ActivityFactory(rt=rt, status=ActivityStatus.DRAFT)
    delivered = factories.ActivityFactory(rt=rt, status=ActivityStatus.DELIVERED)
    client.force_login(officer)

    draft_page = client.get(reverse("activity-detail", args=[draft.pk])).text
    delivered_page = client.get(reverse("activity-detail", args=[delivered.pk])).text

    assert reverse("designing:proposal-detail", args=[draft.pk]) in draft_page
    assert reverse("delivery:activity-detail", args=[draft.pk]) not in draft_page
    assert reverse("assessment:evaluation-summary", args=[draft.pk]) not in draft_page
    assert reverse("delivery:activity-detail", args=[delivered.pk]) in delivered_page
    assert reverse("assessment:evaluation-summary", args=[delivered.pk]) in delivered_page
