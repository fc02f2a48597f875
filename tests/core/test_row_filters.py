"""The filters that write a list row's words and marks (instead of a template a row): the same
text as the templates they replaced, in Indonesian, with Indonesian numbers."""

import pytest
from django.template import Context, Template
from django.utils import translation

from assessment.templatetags.assessment import stage_rate
from commissioning.models import Forum
from commissioning.templatetags.commissioning import (
    endorsement_text,
    forum_badge_class,
    present_text,
)
from designing.templatetags.designing import comment_text, fit_badge
from rtkeren.models import ActivityStatus
from rtkeren.templatetags.rtkeren import activity_place, status_badge_class
from tests import factories


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("approved", "text-bg-success"),
        (ActivityStatus.EVALUATED, "text-bg-success"),
        (ActivityStatus.CANCELLED, "text-bg-danger"),
        ("in_delivery", "text-bg-primary"),
        (ActivityStatus.DRAFT, "text-bg-secondary"),
    ],
)
def test_the_status_badge_colour_reads_plain_values_and_choices_alike(status, expected):
    assert status_badge_class(status) == expected


@pytest.mark.django_db
def test_an_activity_is_in_its_rt_or_the_whole_kelurahan():
    in_rt = factories.ActivityFactory()
    everywhere = factories.ActivityFactory(rt=None, kelurahan=in_rt.kelurahan)

    assert activity_place(in_rt) == str(in_rt.rt)
    assert activity_place(everywhere) == f"Seluruh Kelurahan {in_rt.kelurahan}"


def test_counts_are_written_with_indonesian_numbers():
    assert endorsement_text(1) == "1 warga mendukung"
    assert endorsement_text(1500) == "1.500 warga mendukung"
    assert comment_text(12) == "12 komentar"
    assert stage_rate(12.345) == "12,3%"
    assert stage_rate(None) == "belum ada warga"


def test_the_fit_badge_is_escaped_markup_or_nothing():
    assert fit_badge(None) == ""
    assert (
        fit_badge(0)
        == '<span class="badge text-bg-light border fit-badge">cocok dengan minat 0 warga</span>'
    )
    rendered = Template("{% load designing %}{{ fit|fit_badge }}").render(Context({"fit": 2500}))
    assert rendered == (
        '<span class="badge text-bg-light border fit-badge">cocok dengan minat 2.500 warga</span>'
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (Forum.Status.HELD, "text-bg-success"),
        ("cancelled", "text-bg-secondary"),
        (Forum.Status.SCHEDULED, "text-bg-primary"),
    ],
)
def test_the_forum_badge_colour(status, expected):
    assert forum_badge_class(status) == expected


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("count", [0, 1, 2, 1500])
def test_the_residents_present_are_the_words_the_row_template_wrote(language, count):
    written = Template(
        "{% load i18n %}{% blocktranslate trimmed count counter=count %}"
        "{{ counter }} resident present{% plural %}{{ counter }} residents present"
        "{% endblocktranslate %}"
    )
    with translation.override(language):
        assert present_text(count) == written.render(Context({"count": count}))
