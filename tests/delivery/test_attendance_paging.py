"""Recording attendance for more residents than a page holds: moving to another page saves the
ticks of the one left, so that nobody ticked is lost (the same for forums and evaluation forums,
which share the core's attendance page)."""

import pytest
from django.urls import reverse

from delivery.models import Attendance
from tests import factories as core

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(rt, meeting):
    """Sixty residents of the meeting's RT: two pages of the attendance list."""
    return [core.ResidentFactory(rt=rt, name=f"Warga {number:02d}") for number in range(60)]


def _page(client, url, **query):
    form = client.get(url, query).context["form"]
    return form, ",".join(str(resident.pk) for resident in form.residents)


def test_moving_on_saves_the_page_left_and_the_next_page_keeps_its_ticks(
    client, rt_chair, meeting, crowd
):
    client.force_login(rt_chair)
    url = reverse("delivery:meeting-attendance", args=[meeting.pk])
    first, shown = _page(client, url)
    on_first = first.residents[0]

    moved = client.post(url, {"shown": shown, f"present_{on_first.pk}": "on", "go": "2"})

    assert moved.status_code == 302
    assert moved["Location"] == f"{url}?page=2"
    second, shown = _page(client, url, page=2)
    on_second = second.residents[-1]
    assert on_second.pk not in {r.pk for r in first.residents}
    saved = client.post(f"{url}?page=2", {"shown": shown, f"present_{on_second.pk}": "on"})
    assert saved["Location"] == f"{url}?page=2"
    present = set(Attendance.objects.filter(meeting=meeting).values_list("resident", flat=True))
    assert present == {on_first.pk, on_second.pk}
    assert _page(client, url)[0][f"present_{on_first.pk}"].value() is True


def test_the_filter_stays_and_an_unknown_page_is_not_followed(client, rt_chair, meeting, crowd):
    client.force_login(rt_chair)
    url = reverse("delivery:meeting-attendance", args=[meeting.pk])
    form, shown = _page(client, url, q="Warga 1")

    answer = client.post(f"{url}?q=Warga+1", {"shown": shown, "go": "99"})

    assert answer["Location"] == f"{url}?q=Warga+1"


def test_the_page_counts_the_ticks_it_shows(client, rt_chair, meeting, crowd):
    client.force_login(rt_chair)
    url = reverse("delivery:meeting-attendance", args=[meeting.pk])
    form, shown = _page(client, url)
    ticked = {f"present_{resident.pk}": "on" for resident in form.residents[:3]}
    client.post(url, {"shown": shown, **ticked})

    page = client.get(url).text

    assert "<strong data-ticked-count>3</strong> dicentang di halaman ini." in page
    assert "Simpan dan lanjut" in page
