"""The change history of stage records (spending lines, outputs, meetings, forums, potentials):
kept on every save, and read on one core page per kind by the officers of the record's
kelurahan and the administrator."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning import services as commissioning_services
from commissioning.models import Category, Element
from delivery import services as delivery_services
from delivery.models import Output
from rtkeren.registry import history_kinds
from rtkeren.selectors.history import RELATED_LIMIT
from tests import factories
from tests.commissioning import factories as commissioning_factories
from tests.delivery import factories as delivery_factories
from tests.designing import factories as designing_factories

pytestmark = pytest.mark.django_db

KINDS = ["spending", "output", "meeting", "forum", "potential"]
#: A text field of each kind, to change.
CHANGED_TEXT = {
    "spending": "item",
    "output": "name",
    "meeting": "place",
    "forum": "place",
    "potential": "title",
}


def make_record(kind: str, rt):
    """A record of ``kind`` in ``rt``, of an activity being delivered where it has one."""
    if kind == "potential":
        return commissioning_factories.PotentialFactory(rt=rt)
    if kind == "forum":
        return commissioning_factories.ForumFactory(rt=rt)
    activity = delivery_factories.approved_activity(rt)
    if kind == "spending":
        return delivery_factories.SpendingFactory(activity=activity)
    if kind == "output":
        return delivery_factories.OutputFactory(activity=activity)
    return delivery_factories.MeetingFactory(activity=activity)


def history_url(kind: str, record) -> str:
    return reverse(f"{kind}-history", args=[record.pk])


def test_every_kind_is_registered_by_its_app():
    assert sorted(kind.name for kind in history_kinds.all()) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
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
def test_only_the_kelurahan_officer_and_the_admin_read_it(
    request, client, rt, kind, persona, expected
):
    record = make_record(kind, rt)
    client.force_login(request.getfixturevalue(persona))

    assert client.get(history_url(kind, record)).status_code == expected


@pytest.mark.parametrize("kind", KINDS)
def test_a_visitor_is_sent_to_log_in(client, rt, kind):
    url = history_url(kind, make_record(kind, rt))

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_record_is_not_found(client, officer):
    client.force_login(officer)

    assert client.get(reverse("spending-history", args=[999_999])).status_code == 404


def test_a_spending_amount_changed_in_the_admin_shows_old_and_new(client, admin_user, officer, rt):
    # No service changes a recorded line: the admin fixes one.
    line = delivery_services.spending_record(
        activity=delivery_factories.approved_activity(rt),
        by=officer,
        spent_on=timezone.localdate(),
        item="Kain mori",
        amount=100_000,
        receipt=delivery_factories.image_upload("nota.jpg"),
    )
    client.force_login(admin_user)
    change = reverse("admin:delivery_spending_change", args=[line.pk])
    form = client.get(change).context["adminform"].form
    # The receipt stays as it is: a file field left out of the post keeps its file.
    data = {
        name: form[name].value()
        for name in form.fields
        if name != "receipt" and form[name].value() is not None
    }
    data["amount"] = 150_000

    assert client.post(change, data).status_code == 302

    page = client.get(history_url("spending", line))
    assert page.status_code == 200
    [newest, created] = page.context["entries"]
    assert [(c.field.name, c.old, c.new) for c in newest.changes] == [("amount", 100_000, 150_000)]
    assert newest.record.history_user == admin_user
    assert created.changes == []
    assert "100000 → 150000" in page.text.replace(".", "")


def test_output_progress_shows_what_changed_and_who_changed_it(client, officer, rt):
    output = make_record("output", rt)
    delivery_services.output_progress(
        output=output,
        by=officer,
        finished_quantity=5,
        status=Output.Status.IN_PROGRESS,
        obstacle=Output.Obstacle.MATERIALS,
    )
    client.force_login(officer)

    page = client.get(history_url("output", output))

    changes = {c.field.name: (c.old, c.new) for c in page.context["entries"][0].changes}
    # The time of the save is the entry's own: "updated at" is not a change of its own.
    assert changes.keys() == {"finished_quantity", "status", "obstacle", "updated_by"}
    assert changes["updated_by"][1] == str(officer)
    assert changes["finished_quantity"] == (0, 5)
    assert changes["status"] == ("Belum dimulai", "Sedang dikerjakan")
    assert changes["obstacle"] == ("—", "Bahan")
    assert "Belum dimulai → Sedang dikerjakan" in page.text


def test_the_minutes_of_a_forum_are_on_record(client, officer, rt):
    forum = commissioning_factories.ForumFactory(
        rt=rt, date=timezone.localdate() - datetime.timedelta(days=1), organiser=officer
    )
    commissioning_services.forum_minutes_record(
        forum=forum, by=officer, minutes="Sepakat membuat sanggar.", decisions="Sanggar tari."
    )
    client.force_login(officer)

    page = client.get(history_url("forum", forum)).text

    assert "— → Sepakat membuat sanggar." in page
    assert "— → Sanggar tari." in page


def test_a_potential_renamed_shows_both_names_and_the_way_back(client, officer, rt):
    potential = commissioning_factories.PotentialFactory(rt=rt, title="Sanggar lama")
    commissioning_services.potential_update(
        potential=potential,
        by=officer,
        title="Sanggar baru",
        category=Category.CULTURE,
        description=potential.description,
    )
    client.force_login(officer)

    page = client.get(history_url("potential", potential)).text

    assert "Sanggar lama → Sanggar baru" in page
    assert reverse("commissioning:potential-detail", args=[potential.pk]) in page


def test_a_changed_reference_shows_by_name(client, admin_user, rt, other_rt):
    potential = commissioning_factories.PotentialFactory(rt=rt)
    potential.rt = other_rt
    potential.save()
    client.force_login(admin_user)

    page = client.get(history_url("potential", potential)).text

    assert "RT 002 / RW 007 → RT 001 / RW 008" in page


def test_a_meetings_check_in_key_is_not_in_its_history(client, officer, rt):
    meeting = make_record("meeting", rt)
    meeting.place = "Balai RW"
    meeting.save()
    client.force_login(officer)

    page = client.get(history_url("meeting", meeting)).text

    assert "Balai RW" in page
    assert meeting.checkin_key not in page
    assert not hasattr(meeting.history.model, "checkin_key")


def test_moderating_a_comment_is_on_record_with_the_moderator(client, officer, rt, resident_user):
    proposal = designing_factories.proposal(rt=rt)
    comment = designing_factories.CommentFactory(activity=proposal, author=resident_user)
    client.force_login(officer)

    client.post(reverse("designing:comment-hide", args=[comment.pk]), {"reason": "Kata kasar."})
    client.post(reverse("designing:comment-restore", args=[comment.pk]))

    versions = list(comment.history.order_by("history_id"))
    assert [version.hidden_reason for version in versions] == ["", "Kata kasar.", ""]
    assert [version.history_user for version in versions[1:]] == [officer, officer]


def test_the_history_pages_and_shows_the_oldest_change_on_the_last_page(client, officer, rt):
    output = make_record("output", rt)
    for number in range(1, 31):
        output.name = f"Batik {number}"
        output.save()
    client.force_login(officer)

    first = client.get(history_url("output", output))
    second = client.get(history_url("output", output), {"page": 2})
    past_the_end = client.get(history_url("output", output), {"page": 99})

    assert len(first.context["entries"]) == 25
    assert "Batik 29 → Batik 30" in first.text
    assert len(second.context["entries"]) == 6
    assert second.context["entries"][-1].record.history_type == "+"
    # The oldest change on page 2 is diffed against the creation, on the same page.
    assert "Batik 1" in second.text
    assert past_the_end.context["page_obj"].number == 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_query_count_is_the_same_for_one_version_and_many(
    client, officer, rt, other_rt, django_assert_num_queries, kind
):
    record = make_record(kind, rt)
    url = history_url(kind, record)
    client.force_login(officer)
    client.get(url)  # The session and the officer's assignments, read once and cached.

    # 1 the session, 2 the record with its activity and places, 3 the page of versions with
    # who saved them, their count and the version before them (the account and the unread
    # notifications in the menu come from the cache); and for a meeting or a forum, the latest
    # changes of its attendance with who made them and their count.
    parts = 1 if kind in ("meeting", "forum") else 0
    with django_assert_num_queries(3 + parts):
        assert client.get(url).status_code == 200

    for number in range(12):
        setattr(record, CHANGED_TEXT[kind], f"Perubahan {number}")
        if kind in ("potential", "forum"):
            record.rt = rt if number % 2 else other_rt
            if kind == "forum":
                record.rw = record.rt.rw
        record.save()
    assert record.history.count() == 13

    # And one query per kind of record a changed reference points to, for their names, however
    # many versions point to them: the RTs (with their RWs) and, for a forum, the RWs. A
    # potential's or a forum's own places come from the city's places (``rtkeren.places``),
    # read again once the saves changed the public records.
    references = {"potential": 1, "forum": 2}.get(kind, 0)
    places_again = 1 if kind in ("potential", "forum") else 0
    with django_assert_num_queries(3 + parts + references + places_again):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("kind", "template_url"),
    [
        ("potential", "commissioning:potential-detail"),
        ("forum", "commissioning:forum-detail"),
        ("meeting", "delivery:meeting-detail"),
    ],
)
def test_the_record_page_links_to_its_history_for_the_officer_alone(
    client, officer, resident_user, rt, kind, template_url
):
    record = make_record(kind, rt)
    page_url = reverse(template_url, args=[record.pk])
    link = history_url(kind, record)

    client.force_login(officer)
    assert link in client.get(page_url).text
    client.force_login(resident_user)
    response = client.get(page_url)
    assert link not in response.text


def test_the_spending_and_output_pages_link_to_their_history(client, officer, rt_chair, rt):
    line = make_record("spending", rt)
    output = delivery_factories.OutputFactory(activity=line.activity)
    spending_page = reverse("delivery:spending-list", args=[line.activity_id])
    output_page = reverse("delivery:output-update", args=[output.pk])

    client.force_login(officer)
    assert history_url("spending", line) in client.get(spending_page).text
    assert history_url("output", output) in client.get(output_page).text
    client.force_login(rt_chair)
    assert history_url("spending", line) not in client.get(spending_page).text
    assert history_url("output", output) not in client.get(output_page).text


def test_a_seeded_record_without_versions_reads_as_no_changes(client, officer, rt):
    line = make_record("spending", rt)
    line.history.all().delete()
    client.force_login(officer)

    page = client.get(history_url("spending", line))

    assert page.status_code == 200
    assert page.context["entries"] == []


def test_the_page_is_named_after_the_record(client, officer, rt):
    line = make_record("spending", rt)
    client.force_login(officer)

    page = client.get(history_url("spending", line)).text

    assert line.item in page


def test_a_meetings_attendance_changes_are_on_its_history_with_who_made_them(
    client, officer, rt, django_assert_num_queries
):
    meeting = make_record("meeting", rt)
    came, left = (factories.ResidentFactory(rt=rt, name=name) for name in ("Bu Sri", "Pak Tono"))
    client.force_login(officer)
    # Through the attendance page, as the committee records it: the history names who did.
    attendance_page = reverse("delivery:meeting-attendance", args=[meeting.pk])
    shown = f"{came.pk},{left.pk}"
    ticked = {"shown": shown, f"present_{came.pk}": "on", f"present_{left.pk}": "on"}
    assert client.post(attendance_page, ticked).status_code == 302
    untick = {"shown": shown, f"present_{came.pk}": "on"}
    assert client.post(attendance_page, untick).status_code == 302
    url = history_url("meeting", meeting)
    client.get(url)

    with django_assert_num_queries(4):
        [attendance] = client.get(url).context["related"]

    changes = [(c.record.history_type, c.description) for c in attendance.changes]
    assert sorted(changes) == [("+", "Bu Sri"), ("+", "Pak Tono"), ("-", "Pak Tono")]
    assert {c.record.history_user for c in attendance.changes} == {officer}
    assert attendance.total == 3

    many = [factories.ResidentFactory(rt=rt) for _ in range(RELATED_LIMIT)]
    delivery_services.attendance_mark(meeting=meeting, by=officer, present=[r.pk for r in many])
    with django_assert_num_queries(4):
        [attendance] = client.get(url).context["related"]
    assert (len(attendance.changes), attendance.total) == (RELATED_LIMIT, RELATED_LIMIT + 3)
    assert "100 perubahan terakhir dari 103" in client.get(url).text


def test_a_forums_attendance_changes_name_residents_and_guests(client, officer, rt):
    forum = commissioning_factories.ForumFactory(
        rt=rt, date=timezone.localdate() - datetime.timedelta(days=1)
    )
    resident = factories.ResidentFactory(rt=rt, name="Bu Sri", birth_date=datetime.date(1980, 1, 1))
    commissioning_services.forum_attendance_record(
        forum=forum,
        by=officer,
        present={resident.pk: Element.GENERAL},
        guests=[commissioning_services.Guest(name="Pak Lurah", origin="", element=Element.CHAIRS)],
    )
    client.force_login(officer)

    [attendance] = client.get(history_url("forum", forum)).context["related"]

    assert sorted(c.description for c in attendance.changes) == ["Bu Sri", "Pak Lurah"]


def test_a_hidden_comment_shows_on_the_activitys_history_with_the_reason(
    client, officer, rt, resident_user
):
    proposal = designing_factories.proposal(rt=rt)
    comment = designing_factories.CommentFactory(
        activity=proposal, author=resident_user, body="Ini kata kasar sekali"
    )
    client.force_login(officer)
    client.post(reverse("designing:comment-hide", args=[comment.pk]), {"reason": "Tidak sopan"})

    page = client.get(reverse("activity-history", args=[proposal.pk]))

    [comments] = page.context["related"]
    hidden = [c for c in comments.changes if c.record.history_type == "~"]
    assert len(hidden) == 1
    assert hidden[0].record.history_user == officer
    assert "Tidak sopan" in hidden[0].description
    assert "Ini kata kasar sekali" in page.text
