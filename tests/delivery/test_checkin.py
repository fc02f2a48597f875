"""Self check-in with the meeting's QR code: the window, the token, who may check in."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from delivery import services
from delivery.models import Attendance
from rtkeren.models import Participation, Resident, Stage
from tests import factories as core

from . import factories

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2030, 3, 9, 19, 0))
MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def fixed_meeting(running):
    # 19:00, two hours long: check-in from 18:30 until 23:00.
    return factories.meeting_at(running, START)


def _check_in(meeting, user, *, now, token=None):
    return services.attendance_check_in(
        meeting=meeting, user=user, token=token or services.checkin_token(meeting), now=now
    )


def _code(meeting, user, *, now, token=None) -> str:
    with pytest.raises(ValidationError) as raised:
        _check_in(meeting, user, now=now, token=token)
    assert not Attendance.objects.filter(meeting=meeting).exists()
    return raised.value.code


def test_the_window_is_explicit_on_the_meeting(fixed_meeting):
    assert fixed_meeting.checkin_opens_at == START - 30 * MINUTE
    assert fixed_meeting.checkin_closes_at == START + datetime.timedelta(hours=4)


@pytest.mark.parametrize(
    ("offset", "code"),
    [(-31 * MINUTE, "checkin_early"), (4 * 60 * MINUTE + MINUTE, "checkin_closed")],
)
def test_before_and_after_the_window(fixed_meeting, resident_user, offset, code):
    assert _code(fixed_meeting, resident_user, now=START + offset) == code


@pytest.mark.parametrize("offset", [-30 * MINUTE, MINUTE, 4 * 60 * MINUTE])
def test_during_the_window(fixed_meeting, resident_user, offset):
    attendance, created = _check_in(fixed_meeting, resident_user, now=START + offset)
    assert created
    assert attendance.method == Attendance.Method.SELF
    assert attendance.resident == resident_user.resident


def test_a_resident_appears_once_whatever_the_path(fixed_meeting, resident_user, rt_chair):
    services.attendance_mark(
        meeting=fixed_meeting, by=rt_chair, present={resident_user.resident.pk}
    )
    attendance, created = _check_in(fixed_meeting, resident_user, now=START)
    assert not created
    assert attendance.method == Attendance.Method.MARKED
    _check_in(fixed_meeting, resident_user, now=START + MINUTE)
    assert Attendance.objects.filter(meeting=fixed_meeting).count() == 1
    assert Participation.objects.filter(stage=Stage.DELIVERY, kind="attended").count() == 1


def test_another_meetings_token(fixed_meeting, running, resident_user):
    other = factories.meeting_at(running, START)
    token = services.checkin_token(other)
    assert _code(fixed_meeting, resident_user, now=START, token=token) == "checkin_foreign"


def test_a_replaced_key_makes_old_codes_worthless(fixed_meeting, resident_user):
    token = services.checkin_token(fixed_meeting)
    fixed_meeting.checkin_key = "baru"
    fixed_meeting.save()
    assert _code(fixed_meeting, resident_user, now=START, token=token) == "checkin_foreign"


@pytest.mark.parametrize("tamper", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "abc"])
def test_a_tampered_token(fixed_meeting, resident_user, tamper):
    token = tamper(services.checkin_token(fixed_meeting))
    assert _code(fixed_meeting, resident_user, now=START, token=token) == "checkin_invalid"


def test_a_resident_of_another_rt(fixed_meeting, other_rt):
    user, _resident = core.make_resident_user(other_rt, "tetangga_rt")
    assert _code(fixed_meeting, user, now=START) == "checkin_wrong_place"


def test_a_resident_of_another_kelurahan(fixed_meeting, outsider):
    assert _code(fixed_meeting, outsider, now=START) == "checkin_wrong_place"


def test_a_kelurahan_wide_activity_takes_the_whole_kelurahan(other_rt, period):
    activity = factories.approved_activity(None, period=period, kelurahan=other_rt.rw.kelurahan)
    meeting = factories.meeting_at(activity, START)
    user, _resident = core.make_resident_user(other_rt, "warga_rw8")
    _attendance, created = _check_in(meeting, user, now=START)
    assert created


def test_an_unverified_resident(fixed_meeting, resident_user):
    Resident.objects.filter(user=resident_user).update(verification=Resident.Verification.PENDING)
    assert _code(fixed_meeting, resident_user, now=START) == "checkin_unverified"


def test_a_minor(fixed_meeting, rt):
    user, _resident = core.make_resident_user(
        rt, "remaja", birth_date=START.date().replace(year=START.year - 15)
    )
    assert _code(fixed_meeting, user, now=START) == "checkin_minor"


def test_an_account_without_a_resident(fixed_meeting, officer):
    assert _code(fixed_meeting, officer, now=START) == "checkin_no_resident"


# The page.


def _now_meeting(running):
    return factories.meeting_at(running, timezone.now() - MINUTE)


def test_the_page_checks_in_and_says_so(client, running, resident_user):
    meeting = _now_meeting(running)
    url = reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])
    client.force_login(resident_user)
    assert "Saya hadir" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "Anda sudah tercatat dalam daftar hadir" in response.content.decode()
    participation = Participation.objects.get(stage=Stage.DELIVERY, kind="attended")
    assert participation.activity == running
    assert participation.on_behalf is False
    assert participation.recorded_by == resident_user


def test_the_page_refuses_clearly_in_indonesian(client, running, outsider, resident_user):
    meeting = _now_meeting(running)
    url = reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])
    client.force_login(outsider)
    response = client.post(url)
    assert response.status_code == 403
    assert "Pertemuan ini untuk warga" in response.content.decode()
    bad = reverse("delivery:meeting-checkin", args=[meeting.pk, "palsu"])
    client.force_login(resident_user)
    response = client.get(bad)
    assert response.status_code == 400
    assert "Kode absen ini tidak berlaku" in response.content.decode()
    assert meeting.title not in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_page_needs_a_login_first(client, running):
    meeting = _now_meeting(running)
    url = reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_qr_code_is_an_svg_pointing_to_the_checkin_url(client, rt_chair, meeting):
    client.force_login(rt_chair)
    response = client.get(reverse("delivery:meeting-qr", args=[meeting.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")


# An account that claimed a register entry is nobody until the RT chair confirms it.


def test_a_claimant_checks_in_as_nobody(fixed_meeting, rt):
    claimant, entry = core.make_claimant(rt)
    assert _code(fixed_meeting, claimant, now=START) == "checkin_unverified"
    assert not Participation.objects.filter(resident=entry).exists()


def test_a_claimant_does_not_see_the_entrys_attendance(client, running, rt, rt_chair):
    meeting = _now_meeting(running)
    claimant, entry = core.make_claimant(rt)
    services.attendance_mark(meeting=meeting, by=rt_chair, present={entry.pk})
    url = reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])
    client.force_login(claimant)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["attendance"] is None


def test_the_page_answers_a_claimant_as_a_waiting_registrant(client, running, rt):
    meeting = _now_meeting(running)
    url = reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])
    claimant, entry = core.make_claimant(rt)
    registrant = core.make_registrant(rt, "pendaftar_baru", like=entry)
    answers = {}
    for user in (claimant, registrant):
        client.force_login(user)
        answers[user] = [
            core.page_as_anyone(client.get(url), user),
            core.page_as_anyone(client.post(url), user),
        ]
    assert answers[claimant] == answers[registrant]
    [(get_status, _get_body), (post_status, post_body)] = answers[claimant]
    assert (get_status, post_status) == (200, 403)
    assert "Akun Anda belum diverifikasi Ketua RT" in post_body
    assert not Attendance.objects.exists()
    assert not Participation.objects.exists()


@pytest.fixture
def meeting_now(running, rt_chair):
    """A meeting that began a quarter of an hour ago: its self check-in is open."""
    starts = timezone.localtime() - datetime.timedelta(minutes=15)
    return factories.MeetingFactory(
        activity=running,
        created_by=rt_chair,
        date=starts.date(),
        starts_at=starts.time().replace(second=0, microsecond=0),
        ends_at=None,
    )


def test_a_resident_checks_in_from_the_meeting_page_during_the_window(
    client, resident_user, meeting_now
):
    client.force_login(resident_user)
    url = reverse("delivery:meeting-detail", args=[meeting_now.pk])

    page = client.get(url).text
    assert "Saya hadir" in page
    assert "Presensi mandiri dibuka 30 menit sebelum mulai" in page

    form = client.get(url).context["self_checkin_path"]
    assert client.post(form).status_code == 302
    assert Attendance.objects.filter(meeting=meeting_now, resident=resident_user.resident).exists()
    after = client.get(url).text
    assert "Saya hadir" not in after
    assert "Anda sudah tercatat dalam daftar hadir pertemuan ini." in after


def test_outside_the_window_the_page_offers_no_check_in(client, resident_user, meeting):
    meeting.date = timezone.localdate() + datetime.timedelta(days=3)
    meeting.save()
    client.force_login(resident_user)

    page = client.get(reverse("delivery:meeting-detail", args=[meeting.pk]))

    assert page.context["self_checkin_path"] == ""
    assert "Saya hadir" not in page.text


def test_the_committee_gets_the_code_not_the_button(client, rt_chair, meeting_now):
    client.force_login(rt_chair)

    page = client.get(reverse("delivery:meeting-detail", args=[meeting_now.pk]))

    assert page.context["self_checkin_path"] == ""
    assert reverse("delivery:meeting-qr", args=[meeting_now.pk]) in page.text


def test_a_resident_the_service_would_refuse_is_offered_no_button(client, rt, meeting_now):
    """A child of the RT reads the meeting page during the window: residents under 17 do not
    check in themselves, so the page offers no button that would only be refused."""
    child, _resident = core.make_resident_user(
        rt, "anak", birth_date=timezone.localdate() - datetime.timedelta(days=365 * 10)
    )
    client.force_login(child)

    page = client.get(reverse("delivery:meeting-detail", args=[meeting_now.pk]))

    assert page.status_code == 200
    assert page.context["self_checkin_path"] == ""
    assert "Saya hadir" not in page.text
