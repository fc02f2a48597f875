"""``datetime_formatter`` writes a datetime as ``date_format`` does, in both languages; a text
people wrote is written as ``linebreaks`` and ``linebreaksbr`` write it."""

import datetime
import zoneinfo

import pytest
from django.template.defaultfilters import linebreaksbr
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import linebreaks

from rtkeren.formats import datetime_formatter, paragraphs, with_breaks

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
# Every month, both halves of the day, single and double digits, a leap day, midnight and noon.
MOMENTS = [
    datetime.datetime(2026, month, day, hour, minute, tzinfo=JAKARTA)
    for month, day, hour, minute in [
        (1, 1, 0, 0),
        (2, 9, 12, 0),
        (3, 10, 9, 5),
        (4, 30, 23, 59),
        (5, 2, 13, 7),
        (6, 15, 1, 30),
        (7, 4, 11, 11),
        (8, 17, 8, 45),
        (9, 21, 18, 3),
        (10, 31, 20, 20),
        (11, 11, 7, 0),
        (12, 25, 22, 58),
    ]
] + [datetime.datetime(2028, 2, 29, 6, 9, tzinfo=JAKARTA), datetime.datetime(2026, 5, 1, 12, 0)]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(
    "format_type", ["DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT", "MONTH_DAY_FORMAT"]
)
def test_it_writes_what_date_format_writes(language, format_type):
    with translation.override(language):
        write = datetime_formatter(format_type)
        written = [write(moment) for moment in MOMENTS]
        expected = [date_format(moment, format_type) for moment in MOMENTS]
    assert written == expected
    assert len(set(written)) == len(MOMENTS)  # the moments are told apart


def test_each_language_has_its_own_format():
    moment = MOMENTS[11]
    with translation.override("id"):
        indonesian = datetime_formatter()(moment)
    with translation.override("en"):
        english = datetime_formatter()(moment)
    assert indonesian == "25 Des. 2026, 22.58"
    assert english == "Dec. 25, 2026, 10:58 p.m."


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_day_met_again_is_written_with_its_own_time(language):
    """What a day alone decides is written once a day a writer meets: the same days at other
    times, met again in another order, are still written as ``date_format`` writes them."""
    later = [moment + datetime.timedelta(hours=1, minutes=1, seconds=7) for moment in MOMENTS]
    moments = MOMENTS + later[::-1] + MOMENTS
    with translation.override(language):
        write = datetime_formatter()
        written = [write(moment) for moment in moments]
        expected = [date_format(moment, "DATETIME_FORMAT") for moment in moments]
    assert written == expected
    assert written[0] != written[2 * len(MOMENTS) - 1]  # the first day, an hour later


TEXTS = [
    "Satu baris saja.",
    "Tanda <b>&</b> \"kutip\" dan 'petik'",
    "",
    "Dua\nbaris",
    "Dua paragraf\n\n<i>kedua</i>",
    "Baris\r\nWindows",
    "Mac\rlama",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_is_written_as_the_filters_write_it(text):
    """What people wrote is written, one line or more, as ``linebreaks`` and ``linebreaksbr``
    write it: escaped, with its paragraphs and line breaks."""
    assert paragraphs(text) == linebreaks(text, autoescape=True)
    assert with_breaks(text) == linebreaksbr(text, autoescape=True)


#: Every character the writer writes itself (a day's, a time's) and one it leaves to
#: ``DateFormat`` (``P``), in a format of its own: ``get_format`` gives back any other name.
EVERY_CHARACTER = "b d D E F j l L m M n N o S t w W y Y z · G H i s · P"


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_character_written_directly_is_what_date_format_writes(language):
    moments = MOMENTS + [moment.replace(second=7) for moment in MOMENTS[:4]]
    with translation.override(language):
        write = datetime_formatter(EVERY_CHARACTER)
        written = [write(moment) for moment in moments]
        expected = [date_format(moment, EVERY_CHARACTER) for moment in moments]
    assert written == expected
