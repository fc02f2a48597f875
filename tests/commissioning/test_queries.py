"""The number of queries of each page is the same with one row and with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import Element
from tests import factories as core

from .factories import (
    AttendanceFactory,
    EndorsementFactory,
    ForumFactory,
    PotentialFactory,
    PriorityItemFactory,
    held_forum,
)

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _potentials(rt, other_rt, count):
    interests = [core.InterestFactory(), core.InterestFactory()]
    for index in range(count):
        potential = PotentialFactory(rt=rt if index % 2 else other_rt, photo="potensi/x.jpg")
        potential.interests.set(interests)
        for _ in range(index % 3 + 1):
            EndorsementFactory(potential=potential)


def _forum_with(forum, count, rt):
    ranks = forum.priorities.count()
    for index in range(count):
        AttendanceFactory(
            forum=forum,
            resident=core.ResidentFactory(rt=rt),
            element=Element.values[index % len(Element.values)],
        )
        AttendanceFactory(forum=forum, resident=None, guest_name=f"Tamu {index}")
        PriorityItemFactory(forum=forum, rank=ranks + index + 1, potential=PotentialFactory(rt=rt))


@pytest.fixture
def reader(client, resident_user):
    client.force_login(resident_user)
    return client


def test_the_potential_list(reader, rt, other_rt, period):
    url = reverse("commissioning:potential-list")
    _potentials(rt, other_rt, 1)
    one = _queries(reader, url + "?order=endorsed")

    _potentials(rt, other_rt, 20)

    assert _queries(reader, url + "?order=endorsed") == one


def test_the_potential_page(reader, rt, period):
    potential = PotentialFactory(rt=rt)
    url = reverse("commissioning:potential-detail", args=[potential.pk])
    one = _queries(reader, url)

    potential.interests.set(core.InterestFactory.create_batch(5))
    EndorsementFactory.create_batch(10, potential=potential)

    assert _queries(reader, url) == one


def test_the_forum_page(client, rt_chair, rt, period):
    forum = held_forum(rt=rt)
    url = reverse("commissioning:forum-detail", args=[forum.pk])
    client.force_login(rt_chair)
    _forum_with(forum, 1, rt)
    one = _queries(client, url)

    _forum_with(forum, 15, rt)

    assert _queries(client, url) == one


def test_the_forum_list(reader, rt, period):
    url = reverse("commissioning:forum-list")
    _forum_with(held_forum(rt=rt), 2, rt)
    one = _queries(reader, url)

    for _ in range(8):
        _forum_with(held_forum(rt=rt), 2, rt)
    ForumFactory.create_batch(3, rt=rt)

    assert _queries(reader, url) == one


def test_the_kelurahan_page(reader, rt, other_rt, kelurahan, period):
    url = reverse("commissioning:kelurahan-detail", args=[kelurahan.pk])
    _forum_with(held_forum(rt=rt), 2, rt)
    ForumFactory(rt=rt)
    _potentials(rt, other_rt, 1)
    one = _queries(reader, url)

    for _ in range(8):
        _forum_with(held_forum(rt=other_rt, invited=Element.values), 3, other_rt)
    ForumFactory.create_batch(4, rt=rt)
    _potentials(rt, other_rt, 10)

    assert _queries(reader, url) == one


def test_the_attendance_page_and_its_printout(client, rt_chair, rt, period):
    forum = held_forum(rt=rt)
    client.force_login(rt_chair)
    pages = [
        reverse("commissioning:forum-attendance", args=[forum.pk]),
        reverse("commissioning:forum-print-attendance", args=[forum.pk]),
        reverse("commissioning:forum-print-minutes", args=[forum.pk]),
    ]
    _forum_with(forum, 1, rt)
    one = [_queries(client, url) for url in pages]

    _forum_with(forum, 30, rt)
    core.ResidentFactory.create_batch(10, rt=rt)

    assert [_queries(client, url) for url in pages] == one
