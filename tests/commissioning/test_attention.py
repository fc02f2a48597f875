"""What the stage puts on people's home pages, and the hygiene of its templates."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from commissioning.attention import forums
from rtkeren.models import User
from rtkeren.registry import with_counts

from .factories import ForumFactory, held_forum

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "commissioning"


def forum_attention(user):
    """The provider's items as the home page shows them, counted."""
    return with_counts(forums(user))


@pytest.mark.django_db
def test_residents_see_forums_coming_up_where_they_live(resident_user, rt, other_rt, period):
    ForumFactory(rt=rt)
    ForumFactory(rt=None, rw=rt.rw)
    ForumFactory(rt=other_rt)

    [coming] = forum_attention(resident_user)

    assert coming.count == 2
    assert coming.url == reverse("commissioning:forum-list") + "?when=upcoming"


@pytest.mark.django_db
def test_managers_are_reminded_of_forums_without_minutes(rt_chair, rt, period):
    held_forum(rt=rt)
    held_forum(rt=rt, minutes="Sudah ditulis.")

    coming, waiting = forum_attention(rt_chair)

    assert (coming.count, waiting.count) == (0, 1)
    assert waiting.is_urgent


@pytest.mark.django_db
def test_people_without_a_role_cost_one_query(django_assert_num_queries):
    stranger = User.objects.create(username="tanpa_peran")
    with django_assert_num_queries(1):  # their assignments, none; nothing left to count
        [coming] = forum_attention(stranger)
    assert coming.count == 0


def test_templates_have_no_inline_style_or_script():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "style=" not in text, template
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
