"""Who reaches which page of co-commissioning: role x scope x state.

Out of the user's reach (another kelurahan, including an id changed in the URL) is a 404; in
reach without the right is a 403; anonymous visitors are sent to the login page.
"""

import pytest
from django.urls import reverse

from commissioning.models import Endorsement, Forum, Potential

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin_user",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "neighbour",
    "outsider",
    "foreign_officer",
    "city_viewer",
]

READERS = {
    "admin_user": 200,
    "officer": 200,
    "facilitator": 200,
    "rw_chair": 200,
    "rt_chair": 200,
    "other_rt_chair": 200,
    "pokmas_member": 200,
    "community_lead": 200,
    "resident_user": 200,
    "neighbour": 200,
    "outsider": 404,
    "foreign_officer": 404,
    "city_viewer": 200,
}


def _only(allowed: dict[str, int], *, otherwise: int = 403) -> dict[str, int]:
    """Expected codes: ``allowed`` as given, foreigners 404, everyone else ``otherwise``."""
    return {
        persona: allowed.get(
            persona, 404 if persona in ("outsider", "foreign_officer") else otherwise
        )
        for persona in PERSONAS
    }


RT_FORUM_MANAGERS = _only({"officer": 200, "rw_chair": 200, "rt_chair": 200})


def _status(client, request, persona, method, url, data=None):
    client.force_login(request.getfixturevalue(persona))
    response = getattr(client, method)(url, data or {})
    return response.status_code


def _matrix(client, request, method, url, expected, *, success=None, data=None, reset=None):
    """Every persona against ``url``; a redirect after a POST counts as ``success``.
    ``reset`` puts the object back in its state after each persona's attempt."""
    got = {}
    for persona in PERSONAS:
        code = _status(client, request, persona, method, url, data)
        got[persona] = success if (success and code == 302) else code
        if reset:
            reset()
    assert got == expected


# Potentials.


def test_potential_page_is_read_within_the_kelurahan(client, request, potential):
    url = reverse("commissioning:potential-detail", args=[potential.pk])
    _matrix(client, request, "get", url, READERS)


def test_potential_edit_is_for_its_author_and_officers(client, request, potential):
    url = reverse("commissioning:potential-update", args=[potential.pk])
    _matrix(client, request, "get", url, _only({"officer": 200, "neighbour": 200}))


def test_potential_merge_is_for_officers_of_the_kelurahan(client, request, potential):
    url = reverse("commissioning:potential-merge", args=[potential.pk])
    _matrix(client, request, "get", url, _only({"officer": 200}))


def test_potential_is_endorsed_by_residents_of_the_kelurahan_only(client, request, potential):
    """Residents (the RT chair is one too) endorse; the author does not endorse their own;
    staff without a place in the register cannot; other kelurahan never see it."""
    url = reverse("commissioning:potential-endorse", args=[potential.pk])
    expected = _only({"resident_user": "ok", "rt_chair": "ok"})
    _matrix(client, request, "post", url, expected, success="ok")
    assert set(potential.endorsements.values_list("resident__user__username", flat=True)) == {
        "warga",
        "ketua_rt",
    }


def test_archiving_is_for_officers_of_the_kelurahan(client, request, potential):
    url = reverse("commissioning:potential-archive", args=[potential.pk])
    expected = _only({"officer": "ok"})

    def reset():
        Potential.objects.filter(pk=potential.pk).update(status=Potential.Status.OPEN)

    _matrix(client, request, "post", url, expected, success="ok", reset=reset)


@pytest.mark.parametrize("status", [Potential.Status.ARCHIVED])
def test_a_closed_potential_takes_no_more_endorsements_edits_or_merges(
    client, request, potential, status
):
    potential.status = status
    potential.save()
    for name, method in [
        ("potential-endorse", "post"),
        ("potential-update", "get"),
        ("potential-merge", "get"),
        ("potential-archive", "post"),
    ]:
        url = reverse(f"commissioning:{name}", args=[potential.pk])
        for persona in ("officer", "resident_user", "neighbour"):
            assert _status(client, request, persona, method, url) == 403, (name, persona)
    assert not Endorsement.objects.exists()


def test_recording_a_potential_is_for_people_with_a_place_in_a_kelurahan(client, request, rt):
    url = reverse("commissioning:potential-create")
    # The superuser has no place in a kelurahan: like the city viewer, no potential to record.
    expected = dict.fromkeys(PERSONAS, 200) | {
        "admin_user": 403,
        "facilitator": 403,
        "pokmas_member": 403,
        "city_viewer": 403,
    }
    _matrix(client, request, "get", url, expected)


def test_a_potential_cannot_be_recorded_in_another_kelurahan(client, outsider, rt, period):
    client.force_login(outsider)
    response = client.post(
        reverse("commissioning:potential-create"),
        {"title": "Jaranan", "category": "seni", "description": "Ada", "place": f"rt:{rt.pk}"},
    )

    assert response.status_code == 200
    assert "place" in response.context["form"].errors
    assert not Potential.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, potential, forum):
    for url in [
        reverse("commissioning:kelurahan-list"),
        reverse("commissioning:potential-list"),
        reverse("commissioning:potential-detail", args=[potential.pk]),
        reverse("commissioning:forum-list"),
        reverse("commissioning:forum-detail", args=[forum.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_kelurahan_page_is_read_within_the_kelurahan(client, request, kelurahan):
    url = reverse("commissioning:kelurahan-detail", args=[kelurahan.pk])
    _matrix(client, request, "get", url, READERS)


# Forums.


def test_forum_page_is_read_within_the_kelurahan(client, request, forum):
    url = reverse("commissioning:forum-detail", args=[forum.pk])
    _matrix(client, request, "get", url, READERS)


def test_scheduling_a_forum_is_for_officers_and_chairs(client, request, rt):
    url = reverse("commissioning:forum-create")
    expected = dict.fromkeys(PERSONAS, 403) | {
        "officer": 200,
        "rw_chair": 200,
        "rt_chair": 200,
        "other_rt_chair": 200,
        "foreign_officer": 200,
    }
    _matrix(client, request, "get", url, expected)


@pytest.mark.parametrize(
    ("persona", "place", "allowed"),
    [
        ("rt_chair", "rt", True),
        ("rt_chair", "other_rt", False),
        ("rt_chair", "kelurahan", False),
        ("rw_chair", "rt", True),
        ("rw_chair", "other_rt", False),
        ("officer", "kelurahan", True),
        ("officer", "foreign_rt", False),
        ("foreign_officer", "rt", False),
    ],
)
def test_a_forum_is_scheduled_only_for_ones_own_place(
    client, request, period, persona, place, allowed
):
    target = request.getfixturevalue(place)
    kind = "kelurahan" if place == "kelurahan" else "rt"
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("commissioning:forum-create"),
        {
            "title": "Musyawarah",
            "scope": f"{kind}:{target.pk}",
            "date": "2099-01-01",
            "starts_at": "19:30",
            "place": "Balai",
            "agenda": "Potensi",
            "invited": ["warga_umum"],
        },
    )

    assert Forum.objects.exists() is allowed
    assert response.status_code == (302 if allowed else 200)


def test_a_scheduled_forum_is_changed_by_its_managers(client, request, forum):
    url = reverse("commissioning:forum-update", args=[forum.pk])
    _matrix(client, request, "get", url, RT_FORUM_MANAGERS)


def test_a_kelurahan_forum_is_changed_only_by_officers(client, request, kelurahan_forum):
    url = reverse("commissioning:forum-update", args=[kelurahan_forum.pk])
    _matrix(client, request, "get", url, _only({"officer": 200}))


def test_cancelling_is_for_the_managers(client, request, forum):
    url = reverse("commissioning:forum-cancel", args=[forum.pk])
    expected = _only({"officer": "ok", "rw_chair": "ok", "rt_chair": "ok"})
    cancelled = []

    def reset():
        forum.refresh_from_db()
        if forum.status == Forum.Status.CANCELLED:
            cancelled.append(forum.cancel_reason)
            Forum.objects.filter(pk=forum.pk).update(
                status=Forum.Status.SCHEDULED, cancel_reason=""
            )

    _matrix(
        client, request, "post", url, expected, success="ok", data={"reason": "Banjir"}, reset=reset
    )
    assert cancelled == ["Banjir"] * 3


@pytest.mark.parametrize("page", ["forum-attendance", "forum-minutes", "forum-priorities"])
def test_after_the_forum_its_managers_record_what_happened(client, request, past_forum, page):
    url = reverse(f"commissioning:{page}", args=[past_forum.pk])
    _matrix(client, request, "get", url, RT_FORUM_MANAGERS)


@pytest.mark.parametrize("page", ["forum-attendance", "forum-minutes", "forum-priorities"])
@pytest.mark.parametrize("state", ["forum", "cancelled_forum"])
def test_nothing_is_recorded_before_the_forum_or_once_cancelled(client, request, page, state):
    target = request.getfixturevalue(state)
    url = reverse(f"commissioning:{page}", args=[target.pk])
    for persona in ("officer", "rw_chair", "rt_chair"):
        assert _status(client, request, persona, "get", url) == 403


def test_a_cancelled_forum_cannot_be_changed(client, request, cancelled_forum):
    url = reverse("commissioning:forum-update", args=[cancelled_forum.pk])
    assert _status(client, request, "officer", "get", url) == 403


def test_the_attendance_list_names_people_only_for_managers_and_facilitators(
    client, request, past_forum
):
    url = reverse("commissioning:forum-print-attendance", args=[past_forum.pk])
    expected = _only(
        {"admin_user": 200, "officer": 200, "rw_chair": 200, "rt_chair": 200, "facilitator": 200}
    )
    _matrix(client, request, "get", url, expected)


def test_the_printed_minutes_are_read_within_the_kelurahan(client, request, past_forum):
    url = reverse("commissioning:forum-print-minutes", args=[past_forum.pk])
    _matrix(client, request, "get", url, READERS)


def test_a_foreign_officer_changing_ids_in_urls_gets_404_everywhere(
    client, foreign_officer, potential, past_forum, kelurahan
):
    client.force_login(foreign_officer)
    for name, pk, method in [
        ("kelurahan-detail", kelurahan.pk, "get"),
        ("potential-detail", potential.pk, "get"),
        ("potential-update", potential.pk, "post"),
        ("potential-endorse", potential.pk, "post"),
        ("potential-unendorse", potential.pk, "post"),
        ("potential-merge", potential.pk, "post"),
        ("potential-archive", potential.pk, "post"),
        ("forum-detail", past_forum.pk, "get"),
        ("forum-update", past_forum.pk, "post"),
        ("forum-cancel", past_forum.pk, "post"),
        ("forum-attendance", past_forum.pk, "post"),
        ("forum-minutes", past_forum.pk, "post"),
        ("forum-priorities", past_forum.pk, "post"),
        ("forum-print-attendance", past_forum.pk, "get"),
        ("forum-print-minutes", past_forum.pk, "get"),
    ]:
        response = getattr(client, method)(reverse(f"commissioning:{name}", args=[pk]))
        assert response.status_code == 404, name
    potential.refresh_from_db()
    past_forum.refresh_from_db()
    assert potential.status == Potential.Status.OPEN
    assert past_forum.status == Forum.Status.SCHEDULED


def test_a_merge_target_from_another_kelurahan_is_refused(client, officer, potential, foreign_rt):
    from .factories import PotentialFactory

    foreign = PotentialFactory(rt=foreign_rt)
    client.force_login(officer)
    response = client.post(
        reverse("commissioning:potential-merge", args=[potential.pk]), {"into": foreign.pk}
    )

    assert response.status_code == 200
    potential.refresh_from_db()
    assert potential.status == Potential.Status.OPEN
