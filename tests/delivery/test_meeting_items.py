"""An activity's meetings are written in Python (``{% meeting_items %}``), not through a
template: they must be what the template they replaced wrote, in both languages, for a reader
who sees the records and one who does not, with photos public or not. That template is kept
beside this test as the reference."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from delivery.models import Meeting, MeetingPhoto
from tests.references import Reference, tag

_ITEMS = Reference(__file__, "meeting_items_reference.html")
_TAG = "{% load delivery %}{% meeting_items page_obj %}"


def _meeting(pk, *, photos=(), public=False, ends_at=None, facilitator="", present=0, **fields):
    meeting = Meeting(
        pk=pk,
        title=fields.get("title", "Pertemuan pertama"),
        date=datetime.date(2026, 12, 31),
        starts_at=datetime.time(8, 5),
        ends_at=ends_at,
        place=fields.get("place", "Balai RW 02"),
        facilitator=facilitator,
    )
    meeting.attendee_count = present
    meeting.photo_count = len(photos)
    meeting.photos_public = public
    # As the page reads them: prefetched.
    prefetched = MeetingPhoto.objects.none()
    prefetched._result_cache = [
        MeetingPhoto(pk=pk * 10 + index, caption=caption) for index, caption in enumerate(photos)
    ]
    prefetched._prefetch_done = True
    meeting._prefetched_objects_cache = {"photos": prefetched}
    return meeting


_MEETINGS = [
    _meeting(1, present=1, photos=["Peserta <b>", ""], public=True),
    _meeting(
        2,
        title='<b>"Praktik"</b> & evaluasi',
        place="Rumah <Bu> Sri",
        facilitator="Pak Joko & tim",
        ends_at=datetime.time(11, 30),
        present=1_234,
        photos=["a", "b", "c", "d", "e"],
    ),
    _meeting(3),
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("sees_records", [True, False])
@pytest.mark.parametrize("count", [0, 1, len(_MEETINGS)])
def test_the_meetings_are_what_their_template_wrote(count, sees_records, language):
    context = {"page_obj": _MEETINGS[:count], "can_view_records": sees_records}
    assert _ITEMS.matches(tag(_TAG, context), context, language=language)


def test_the_meetings_escape_what_people_wrote_and_show_four_photos():
    context = Context({"page_obj": _MEETINGS, "can_view_records": True})
    with translation.override("id"):
        written = Template(_TAG).render(context)
    assert "<b>" not in written
    assert "&lt;b&gt;&quot;Praktik&quot;&lt;/b&gt; &amp; evaluasi" in written
    assert "Rumah &lt;Bu&gt; Sri · Pak Joko &amp; tim" in written
    assert "08:05–11:30" in written
    assert "1.234 hadir" in written
    assert written.count("<img") == 2 + 4
    assert f'href="{reverse("delivery:meeting-detail", args=[2])}"' in written
    assert f'src="{reverse("delivery:photo-file", args=[20])}"' in written


def test_the_comparison_tells_two_readers_apart():
    """The same meetings for a reader who sees the records and one who does not are not the
    same HTML: the second sees only public photos."""
    written = tag(_TAG, {"page_obj": _MEETINGS, "can_view_records": True})
    assert not _ITEMS.matches(written, {"page_obj": _MEETINGS, "can_view_records": False})
