"""Forums: scheduling and notices, attendance on one form, minutes, the priority list, how
inclusive each forum was, and the priorities other stages start from."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commissioning import selectors, services
from commissioning.models import Attendance, Element, Forum, PriorityItem
from rtkeren.models import Notification, Participation, Resident, Stage
from tests import factories as core

from .factories import (
    AttendanceFactory,
    ForumFactory,
    PotentialFactory,
    PriorityItemFactory,
    held_forum,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def _schedule(client, place: str, **data):
    return client.post(
        reverse("commissioning:forum-create"),
        {
            "title": "Musyawarah penggalian potensi",
            "scope": place,
            "date": (today() + datetime.timedelta(days=5)).isoformat(),
            "starts_at": "19:30",
            "ends_at": "21:00",
            "place": "Balai RT 002",
            "agenda": "Potensi wilayah",
            "invited": ["tokoh_agama", "perempuan", "pemuda"],
            **data,
        },
    )


def test_an_rt_chair_schedules_a_forum_and_the_rt_is_told(
    client,
    rt_chair,
    resident_user,
    rt,
    other_rt,
    outsider,
    django_capture_on_commit_callbacks,
):
    core.make_resident_user(other_rt, "tetangga_rt_lain")
    client.force_login(rt_chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = _schedule(client, f"rt:{rt.pk}")

    forum = Forum.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("commissioning:forum-detail", args=[forum.pk])
    assert (forum.rt, forum.rw, forum.kelurahan) == (rt, rt.rw, rt.rw.kelurahan)
    assert forum.organiser == rt_chair
    assert set(forum.invited_elements.values_list("element", flat=True)) == {
        "tokoh_agama",
        "perempuan",
        "pemuda",
    }
    told = Notification.objects.all()
    assert {n.recipient.username for n in told} == {"warga", "ketua_rt"}
    message = told.get(recipient=resident_user).message
    assert message.startswith("Musyawarah dijadwalkan: “Musyawarah penggalian potensi”")
    assert "pukul 19.30" in message
    assert told.get(recipient=resident_user).url == reverse(
        "commissioning:forum-detail", args=[forum.pk]
    )


def test_a_kelurahan_forum_tells_every_rt_and_a_rw_forum_its_own(
    client, officer, rw_chair, resident_user, rt, other_rt, django_capture_on_commit_callbacks
):
    core.make_resident_user(other_rt, "tetangga_rw_lain")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(client, f"kelurahan:{rt.rw.kelurahan_id}")
    assert Notification.objects.filter(recipient__username="tetangga_rw_lain").exists()

    Notification.objects.all().delete()
    client.force_login(rw_chair)
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(client, f"rw:{rt.rw_id}")
    assert {n.recipient.username for n in Notification.objects.all()} == {"warga"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"date": "2020-01-01"}, "date", "Pilih tanggal hari ini atau sesudahnya."),
        ({"ends_at": "18:00"}, "ends_at", "Waktu selesai harus sesudah waktu mulai."),
        ({"invited": []}, "invited", "Undanglah paling sedikit satu unsur masyarakat."),
    ],
)
def test_a_wrong_schedule_gets_a_clear_message(client, rt_chair, rt, change, field, message):
    client.force_login(rt_chair)

    response = _schedule(client, f"rt:{rt.pk}", **change)

    assert response.context["form"].errors[field] == [message]
    assert not Forum.objects.exists()


def test_moving_a_forum_tells_residents_again_and_cancelling_too(
    client, rt_chair, resident_user, forum, django_capture_on_commit_callbacks
):
    client.force_login(rt_chair)
    data = {
        "title": forum.title,
        "date": (forum.date + datetime.timedelta(days=1)).isoformat(),
        "starts_at": "19:30",
        "place": forum.place,
        "agenda": forum.agenda,
        "invited": ["warga_umum"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("commissioning:forum-update", args=[forum.pk]), data)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("commissioning:forum-cancel", args=[forum.pk]), {"reason": "Banjir"})

    forum.refresh_from_db()
    assert forum.status == Forum.Status.CANCELLED
    assert forum.cancel_reason == "Banjir"
    assert list(forum.invited_elements.values_list("element", flat=True)) == ["warga_umum"]
    messages = list(
        Notification.objects.filter(recipient=resident_user)
        .order_by("pk")
        .values_list("message", flat=True)
    )
    assert len(messages) == 2
    assert messages[1].endswith("dibatalkan.")


def test_cancelling_needs_a_reason(client, rt_chair, forum):
    client.force_login(rt_chair)

    client.post(reverse("commissioning:forum-cancel", args=[forum.pk]), {"reason": ""})

    forum.refresh_from_db()
    assert forum.status == Forum.Status.SCHEDULED


# Attendance.


@pytest.fixture
def neighbours(rt, past_forum):
    """Adults of the RT: a woman of 25, a man of 20, a man of 45; and a child of 12."""
    day = past_forum.date

    def born(age):
        return day.replace(year=day.year - age) - datetime.timedelta(days=10)

    return {
        "sari": core.ResidentFactory(rt=rt, name="Sari", sex="P", birth_date=born(25)),
        "budi": core.ResidentFactory(rt=rt, name="Budi", sex="L", birth_date=born(20)),
        "joko": core.ResidentFactory(rt=rt, name="Joko", sex="L", birth_date=born(45)),
        "anak": core.ResidentFactory(rt=rt, name="Putri Kecil", sex="P", birth_date=born(12)),
    }


def _attendance_url(forum, **query):
    url = reverse("commissioning:forum-attendance", args=[forum.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _attendance_post(client, forum, ticked: dict, *, shown, guests=(), url=None, remove=()):
    data = {
        "shown": ",".join(str(resident.pk) for resident in shown),
        "guest-TOTAL_FORMS": "3",
        "guest-INITIAL_FORMS": "0",
        "guest-MIN_NUM_FORMS": "0",
        "guest-MAX_NUM_FORMS": "40",
        "guests-remove": [str(pk) for pk in remove],
    }
    for resident in shown:
        data[f"element_{resident.pk}"] = ticked.get(resident, Element.GENERAL)
        if resident in ticked:
            data[f"present_{resident.pk}"] = "on"
    for index, (name, origin, element) in enumerate(guests):
        data |= {
            f"guest-{index}-name": name,
            f"guest-{index}-origin": origin,
            f"guest-{index}-element": element,
        }
    for index in range(len(guests), 3):
        data[f"guest-{index}-element"] = Element.COMMUNITY_LEADERS
    return client.post(url or _attendance_url(forum), data)


def test_the_attendance_form_lists_the_adults_of_the_forum_place_only(
    client, rt_chair, past_forum, neighbours, other_rt
):
    core.ResidentFactory(rt=other_rt, name="Tetangga RT lain")
    client.force_login(rt_chair)

    response = client.get(_attendance_url(past_forum))

    names = [resident.name for resident, _present, _element in response.context["form"].rows]
    assert {"Sari", "Budi", "Joko"} <= set(names)
    assert "Putri Kecil" not in names
    assert "Tetangga RT lain" not in names
    assert "Putri Kecil" not in response.content.decode()


def test_a_chair_records_attendance_and_each_resident_takes_part(
    client, rt_chair, past_forum, neighbours
):
    sari, budi, joko = neighbours["sari"], neighbours["budi"], neighbours["joko"]
    client.force_login(rt_chair)

    response = _attendance_post(
        client,
        past_forum,
        {sari: Element.WOMEN, budi: Element.YOUTH},
        shown=[sari, budi, joko],
        guests=[("Ust. Mahmud", "Masjid Al-Ikhlas", Element.RELIGIOUS_LEADERS)],
    )

    assert response.status_code == 302
    past_forum.refresh_from_db()
    assert past_forum.status == Forum.Status.HELD
    present = {a.name: a for a in past_forum.attendances.all()}
    assert set(present) == {"Sari", "Budi", "Ust. Mahmud"}
    assert present["Sari"].element == Element.WOMEN
    assert present["Sari"].resident_age == 25
    assert present["Ust. Mahmud"].guest_origin == "Masjid Al-Ikhlas"
    ledger = Participation.objects.filter(kind=services.KIND_FORUM_ATTENDED)
    assert {p.resident.name for p in ledger} == {"Sari", "Budi"}
    for participation in ledger:
        assert participation.stage == Stage.COMMISSIONING
        assert participation.subject == past_forum
        assert participation.occurred_on == past_forum.date
        assert participation.on_behalf is False
        assert participation.recorded_by == rt_chair


def test_unticking_takes_someone_off_and_the_element_can_change(
    client, rt_chair, past_forum, neighbours
):
    sari, budi = neighbours["sari"], neighbours["budi"]
    client.force_login(rt_chair)
    _attendance_post(
        client, past_forum, {sari: Element.WOMEN, budi: Element.YOUTH}, shown=[sari, budi]
    )
    guest = Attendance.objects.create(forum=past_forum, guest_name="Tamu", element=Element.LPMK)

    _attendance_post(client, past_forum, {sari: Element.PKK}, shown=[sari, budi], remove=[guest.pk])

    assert [(a.name, a.element) for a in past_forum.attendances.all()] == [("Sari", "pkk")]
    assert [p.resident for p in Participation.objects.all()] == [sari]


def test_residents_not_on_the_page_are_left_alone(client, rt_chair, past_forum, neighbours):
    sari, joko = neighbours["sari"], neighbours["joko"]
    client.force_login(rt_chair)
    _attendance_post(client, past_forum, {joko: Element.GENERAL}, shown=[joko])

    _attendance_post(client, past_forum, {sari: Element.WOMEN}, shown=[sari])

    assert {a.name for a in past_forum.attendances.all()} == {"Sari", "Joko"}


def test_a_foreign_or_minor_resident_slipped_into_the_form_is_not_recorded(
    client, rt_chair, past_forum, neighbours, foreign_rt
):
    stranger = core.ResidentFactory(rt=foreign_rt)
    client.force_login(rt_chair)

    _attendance_post(
        client,
        past_forum,
        {stranger: Element.GENERAL, neighbours["anak"]: Element.YOUTH},
        shown=[stranger, neighbours["anak"]],
    )

    assert not past_forum.attendances.exists()
    assert not Participation.objects.exists()


def test_the_service_refuses_people_outside_the_forum_place(
    rt_chair, past_forum, neighbours, foreign_rt
):
    stranger = core.ResidentFactory(rt=foreign_rt, name="Orang Luar")
    for resident in (stranger, neighbours["anak"]):
        with pytest.raises(ValidationError) as error:
            services.forum_attendance_record(
                forum=past_forum, by=rt_chair, present={resident.pk: Element.GENERAL}
            )
        assert resident.name in error.value.messages[0]
    assert not past_forum.attendances.exists()


def test_attendance_at_a_forum_held_between_two_years_counts_in_the_next_year(rt, rt_chair):
    forum = held_forum(rt=rt, organiser=rt_chair)
    core.PeriodFactory(year=forum.date.year - 1)
    next_year = core.PeriodFactory(year=forum.date.year + 1)
    sari = core.ResidentFactory(rt=rt, birth_date=forum.date - datetime.timedelta(days=30 * 366))

    change = services.forum_attendance_record(
        forum=forum, by=rt_chair, present={sari.pk: Element.WOMEN}
    )

    assert change.added == 1
    participation = Participation.objects.get(kind=services.KIND_FORUM_ATTENDED)
    assert (participation.resident, participation.period) == (sari, next_year)


def test_a_guest_row_needs_a_name(client, rt_chair, past_forum, neighbours):
    client.force_login(rt_chair)

    response = _attendance_post(
        client, past_forum, {}, shown=[], guests=[("", "Kecamatan", Element.COMMUNITY_LEADERS)]
    )

    assert response.status_code == 200
    assert response.context["guest_formset"].errors[0]["name"] == ["Tuliskan nama tamu."]
    assert not past_forum.attendances.exists()


def test_forty_residents_fit_on_one_attendance_page(client, rt_chair, past_forum, rt):
    core.ResidentFactory.create_batch(40, rt=rt)
    client.force_login(rt_chair)

    response = client.get(_attendance_url(past_forum))

    assert len(response.context["form"].rows) == 41  # and the chair, who lives there too
    assert not response.context["page_obj"].has_other_pages()


def test_the_page_remembers_the_element_each_person_represented_before(
    rt_chair, past_forum, neighbours
):
    earlier = held_forum(rt=past_forum.rt, date=past_forum.date - datetime.timedelta(days=30))
    AttendanceFactory(forum=earlier, resident=neighbours["joko"], element=Element.ELDERLY)

    residents = {r.name: r for r in selectors.residents_for_attendance(past_forum)}

    assert residents["Joko"].element_before == Element.ELDERLY
    assert residents["Joko"].element_here is None


# Minutes and priorities.


def test_minutes_are_recorded_after_the_forum(client, rt_chair, past_forum):
    client.force_login(rt_chair)

    client.post(
        reverse("commissioning:forum-minutes", args=[past_forum.pk]),
        {"minutes": "Dibuka pukul 19.30.", "decisions": "Membentuk sanggar."},
    )

    past_forum.refresh_from_db()
    assert past_forum.minutes == "Dibuka pukul 19.30."
    assert past_forum.minutes_recorded_by == rt_chair
    assert past_forum.status == Forum.Status.HELD


def _priority_data(rows):
    data = {
        "priority-TOTAL_FORMS": str(len(rows)),
        "priority-INITIAL_FORMS": "0",
        "priority-MIN_NUM_FORMS": "0",
        "priority-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate(rows):
        data |= {f"priority-{index}-{key}": value for key, value in row.items()}
    return data


def test_the_forum_ranks_potentials_into_a_priority_list(client, rt_chair, past_forum, rt):
    batik = PotentialFactory(rt=rt, title="Batik tulis")
    tari = PotentialFactory(rt=rt, title="Sanggar tari")
    client.force_login(rt_chair)

    response = client.post(
        reverse("commissioning:forum-priorities", args=[past_forum.pk]),
        _priority_data(
            [
                {"potential": batik.pk, "title": "", "note": "6 pertemuan", "ORDER": "2"},
                {"potential": "", "title": "Perbaikan saluran air", "note": "", "ORDER": "3"},
                {"potential": tari.pk, "title": "Kostum tari", "note": "", "ORDER": "1"},
                {"potential": "", "title": "", "note": "", "ORDER": ""},
            ]
        ),
    )

    assert response.status_code == 302
    items = list(past_forum.priorities.order_by("rank"))
    assert [(i.rank, i.title, i.potential) for i in items] == [
        (1, "Kostum tari", tari),
        (2, "Batik tulis", batik),
        (3, "Perbaikan saluran air", None),
    ]
    assert items[1].note == "6 pertemuan"


def test_a_potential_of_another_kelurahan_cannot_be_ranked(rt_chair, past_forum, foreign_rt):
    foreign = PotentialFactory(rt=foreign_rt)

    with pytest.raises(ValidationError):
        services.forum_priorities_set(
            forum=past_forum, by=rt_chair, priorities=[services.Priority("", foreign)]
        )
    assert not PriorityItem.objects.exists()


def test_the_priority_form_offers_only_potentials_of_the_forum_place(
    client, rt_chair, past_forum, rt, other_rt, foreign_rt
):
    mine = PotentialFactory(rt=rt)
    wide = PotentialFactory(rt=None)
    PotentialFactory(rt=other_rt)
    PotentialFactory(rt=foreign_rt)
    client.force_login(rt_chair)

    formset = client.get(reverse("commissioning:forum-priorities", args=[past_forum.pk])).context[
        "form"
    ]

    assert set(formset.forms[0].fields["potential"].queryset) == {mine, wide}


# Inclusiveness.


def test_each_forum_shows_who_came_against_whom_it_invited(rt, neighbours, past_forum):
    forum = ForumFactory(
        rt=rt,
        date=past_forum.date,
        status=Forum.Status.HELD,
        invited=[Element.GENERAL, Element.WOMEN, Element.YOUTH, Element.DISABILITY],
    )
    for name, element in [("sari", "perempuan"), ("budi", "pemuda"), ("joko", "warga_umum")]:
        AttendanceFactory(forum=forum, resident=neighbours[name], element=element)
    AttendanceFactory(forum=forum, resident=None, guest_name="Ust. Ali", element="tokoh_agama")

    [forum] = selectors.attach_inclusiveness(
        list(selectors.with_inclusiveness_counts(Forum.objects.filter(pk=forum.pk)))
    )

    inclusiveness = forum.inclusiveness
    assert (inclusiveness.residents, inclusiveness.guests) == (3, 1)
    assert (inclusiveness.women_share, inclusiveness.youth_share) == (33, 67)
    assert [row.element for row in inclusiveness.invited_absent] == ["disabilitas"]
    assert [row.element for row in inclusiveness.uninvited_present] == ["tokoh_agama"]
    assert len(inclusiveness.invited_present) == 3


def test_the_list_counts_the_residents_each_forum_had_as_the_records_do(
    client, resident_user, rt, neighbours, period
):
    """Each row's count is the forum's attendances of residents (guests are not residents),
    counted per forum: a forum nobody came to says 0."""
    held = held_forum(rt=rt)
    for name in ("sari", "budi"):
        AttendanceFactory(forum=held, resident=neighbours[name])
    AttendanceFactory(forum=held, resident=None, guest_name="Ust. Ali", element="tokoh_agama")
    empty = held_forum(rt=rt)
    other = held_forum(rt=rt)
    AttendanceFactory(forum=other, resident=neighbours["joko"])
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:forum-list"), {"when": "past"})

    counts = {forum.pk: forum.resident_count for forum in response.context["forums"]}
    assert counts == {
        forum.pk: Attendance.objects.filter(forum=forum, resident__isnull=False).count()
        for forum in Forum.objects.all()
    }
    assert (counts[held.pk], counts[empty.pk], counts[other.pk]) == (2, 0, 1)
    assert "2 warga hadir" in response.content.decode()


def test_young_means_17_to_30_on_the_day_of_the_forum(rt, past_forum):
    day = past_forum.date
    turned_31 = core.ResidentFactory(rt=rt, birth_date=day.replace(year=day.year - 31))
    still_30 = core.ResidentFactory(
        rt=rt, birth_date=day.replace(year=day.year - 31) + datetime.timedelta(days=1)
    )
    for resident in (turned_31, still_30):
        AttendanceFactory(forum=past_forum, resident=resident)

    forum = selectors.with_inclusiveness_counts(Forum.objects.filter(pk=past_forum.pk)).get()

    assert forum.youth_count == 1


def test_the_kelurahan_page_compares_forums_and_names_elements_never_present(
    client, resident_user, rt, other_rt, neighbours
):
    first = held_forum(rt=rt, invited=[Element.WOMEN, Element.DISABILITY])
    second = held_forum(rt=other_rt, invited=[Element.YOUTH, Element.DISABILITY])
    AttendanceFactory(forum=first, resident=neighbours["sari"], element=Element.WOMEN)
    AttendanceFactory(forum=second, resident=None, guest_name="Dimas", element=Element.YOUTH)
    held_forum(rt=rt, status=Forum.Status.CANCELLED, cancel_reason="Hujan")
    client.force_login(resident_user)

    response = client.get(reverse("commissioning:kelurahan-detail", args=[rt.rw.kelurahan_id]))

    page = response.context["held_page"]
    assert {forum.pk for forum in page} == {first.pk, second.pk}
    assert response.context["never_present"] == ["Penyandang disabilitas"]
    assert "Penyandang disabilitas" in response.content.decode()


# The priority list for the stages that follow.


def test_priorities_for_an_rt_come_from_its_own_rw_and_kelurahan_forums(
    rt, other_rt, kelurahan, period
):
    own = PriorityItemFactory(forum=held_forum(rt=rt), title="RT")
    rw = PriorityItemFactory(forum=held_forum(rt=None, rw=rt.rw), title="RW")
    wide = PriorityItemFactory(
        forum=held_forum(rt=None, rw=None, kelurahan=kelurahan), title="Kelurahan"
    )
    PriorityItemFactory(forum=held_forum(rt=other_rt), title="RT lain")
    PriorityItemFactory(forum=ForumFactory(rt=rt), title="Belum terlaksana")
    last_year = held_forum(rt=rt, date=period.starts_on - datetime.timedelta(days=1))
    old = PriorityItemFactory(forum=last_year, title="Tahun lalu")

    assert set(selectors.priorities_for(rt)) == {own, rw, wide, old}
    assert set(selectors.priorities_for(rt, period=period)) == {own, rw, wide}
    assert len(selectors.priorities_for(kelurahan)) == 5


def test_priorities_for_needs_an_rt_or_a_kelurahan(rt):
    with pytest.raises(TypeError):
        selectors.priorities_for(rt.rw)


# Printables.


def test_the_printed_attendance_list_has_a_signature_column_and_blank_rows(
    client, rt_chair, past_forum, neighbours
):
    AttendanceFactory(forum=past_forum, resident=neighbours["sari"], element=Element.WOMEN)
    client.force_login(rt_chair)

    response = client.get(
        reverse("commissioning:forum-print-attendance", args=[past_forum.pk]), {"kosong": "5"}
    )

    page = response.content.decode()
    assert "Tanda tangan" in page
    assert 'href="/static/css/print.css" media="print"' in page
    assert "Sari" in page
    assert list(response.context["blank_rows"]) == [2, 3, 4, 5, 6]


def test_a_blank_row_count_that_is_no_number_prints_the_default(client, rt_chair, past_forum):
    client.force_login(rt_chair)

    response = client.get(
        reverse("commissioning:forum-print-attendance", args=[past_forum.pk]), {"kosong": "²"}
    )

    assert response.status_code == 200
    assert len(response.context["blank_rows"]) == 10


def test_the_printed_minutes_hold_the_priority_list(client, resident_user, past_forum):
    past_forum.minutes = "Dibuka pukul 19.30."
    past_forum.save()
    PriorityItemFactory(forum=past_forum, rank=1, title="Kelas membatik")
    client.force_login(resident_user)

    page = client.get(
        reverse("commissioning:forum-print-minutes", args=[past_forum.pk])
    ).content.decode()

    assert "Berita acara musyawarah" in page
    assert "Kelas membatik" in page
    assert "Dibuka pukul 19.30." in page


def test_minors_never_appear_on_a_page_of_the_stage(client, officer, past_forum, neighbours):
    child = neighbours["anak"]
    assert child.age(past_forum.date) < 17
    client.force_login(officer)
    for url in [
        _attendance_url(past_forum),
        _attendance_url(past_forum, q="Kecil"),
        reverse("commissioning:forum-print-attendance", args=[past_forum.pk]),
    ]:
        assert child.name not in client.get(url).content.decode()
    assert Resident.objects.filter(pk=child.pk).exists()


def test_a_tampered_attendance_form_gets_a_message_not_an_error_page(
    client, rt_chair, past_forum, neighbours
):
    sari = neighbours["sari"]
    client.force_login(rt_chair)
    data = {
        "shown": f"{sari.pk},x",
        f"present_{sari.pk}": "on",
        f"element_{sari.pk}": "raja",
        "guest-TOTAL_FORMS": "0",
        "guest-INITIAL_FORMS": "0",
    }

    response = client.post(_attendance_url(past_forum), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["shown"] == [
        "Daftar warga pada formulir rusak. Muat ulang halaman lalu coba lagi."
    ]
    assert f"element_{sari.pk}" in form.errors
    assert not past_forum.attendances.exists()


def test_a_priority_with_only_a_note_asks_for_a_title(client, rt_chair, past_forum):
    client.force_login(rt_chair)

    response = client.post(
        reverse("commissioning:forum-priorities", args=[past_forum.pk]),
        _priority_data([{"potential": "", "title": "", "note": "Penting", "ORDER": "1"}]),
    )

    assert response.status_code == 200
    assert response.context["form"].errors[0]["title"] == [
        "Beri judul prioritas ini atau pilih sebuah potensi."
    ]
    assert not past_forum.priorities.exists()


def test_the_list_rows_follow_every_change_on_the_next_request(
    client, resident_user, rt, neighbours, period
):
    """The rows are rendered once for the same records (``{% include_by_value %}``): a new
    attendance, a new title and a forum moved to another day show on the next request."""
    held = held_forum(rt=rt)
    client.force_login(resident_user)
    url = reverse("commissioning:forum-list")

    def page():
        return client.get(url, {"when": "past"}).content.decode()

    assert "0 warga hadir" in page()
    AttendanceFactory(forum=held, resident=neighbours["sari"])
    assert "1 warga hadir" in page()
    Forum.objects.filter(pk=held.pk).update(
        title="Rembug warga pindahan", date=held.date - datetime.timedelta(days=1)
    )
    moved = page()
    assert "Rembug warga pindahan" in moved
    assert date_format(held.date - datetime.timedelta(days=1), "DATE_FORMAT") in moved
