"""“Share to WhatsApp” on a meeting: title, date, time and place, never who attended."""

import pytest
from django.urls import reverse

from tests.designing.test_share import shared_text

from . import factories

pytestmark = pytest.mark.django_db


def test_meeting_page_shares_public_facts_only(client, meeting, resident_user, rt):
    attendee = factories.AttendanceFactory(meeting=meeting).resident
    client.force_login(resident_user)
    url = reverse("delivery:meeting-detail", args=[meeting.pk])
    text = shared_text(client.get(url).content.decode())
    assert meeting.title in text
    assert meeting.activity.title in text
    assert "Balai RT" in text
    assert "19:00" in text
    assert text.endswith(f"http://testserver{url}")
    assert attendee.name not in text
    assert "kode" not in text
    assert "absen" not in text


def test_share_link_needs_no_script(client, meeting, rt_chair):
    client.force_login(rt_chair)
    content = client.get(reverse("delivery:meeting-detail", args=[meeting.pk])).content.decode()
    link = content[content.index("https://wa.me/") - 200 : content.index("https://wa.me/")]
    assert "<a " in link
    assert "onclick" not in link
