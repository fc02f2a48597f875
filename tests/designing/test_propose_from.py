"""From a forum's priority or an open potential straight to the proposal form, with it already
chosen as what the proposal comes from; only for people who may propose, only for records the
form offers."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from commissioning.models import Forum
from tests.commissioning.factories import PotentialFactory, PriorityItemFactory, held_forum

pytestmark = pytest.mark.django_db

LINK = "Usulkan kegiatan dari ini"


def _key(record) -> str:
    return f"{ContentType.objects.get_for_model(record).pk}:{record.pk}"


def _form_url(record) -> str:
    return reverse("designing:proposal-create") + "?" + urlencode({"asal": _key(record)})


def _chosen(html: str, record) -> bool:
    return re.search(rf'value="{_key(record)}"[^>]*\bchecked', html) is not None


@pytest.fixture
def priority(rt, rt_chair, period):
    forum = held_forum(rt=rt, organiser=rt_chair)
    return PriorityItemFactory(forum=forum, title="Pelatihan menjahit")


def test_a_resident_goes_from_a_priority_to_the_form_with_it_chosen(
    client, resident_user, priority
):
    client.force_login(resident_user)

    forum_page = client.get(reverse("commissioning:forum-detail", args=[priority.forum.pk]))
    form_page = client.get(_form_url(priority))

    assert LINK in forum_page.content.decode()
    assert _form_url(priority) in forum_page.content.decode()
    assert form_page.status_code == 200
    assert _chosen(form_page.content.decode(), priority)


def test_an_open_potential_links_to_the_form_too(client, resident_user, rt, period):
    potential = PotentialFactory(rt=rt, title="Perajin batik")
    client.force_login(resident_user)

    page = client.get(reverse("commissioning:potential-detail", args=[potential.pk]))
    form_page = client.get(_form_url(potential))

    assert LINK in page.content.decode()
    assert _chosen(form_page.content.decode(), potential)


def test_no_link_for_a_forum_not_yet_held_or_for_someone_who_may_not_propose(
    client, resident_user, officer, priority
):
    client.force_login(officer)
    officer_page = client.get(reverse("commissioning:forum-detail", args=[priority.forum.pk]))
    Forum.objects.filter(pk=priority.forum.pk).update(status=Forum.Status.SCHEDULED)
    client.force_login(resident_user)
    scheduled_page = client.get(reverse("commissioning:forum-detail", args=[priority.forum.pk]))

    assert officer_page.status_code == scheduled_page.status_code == 200
    assert LINK not in officer_page.content.decode()
    assert LINK not in scheduled_page.content.decode()


def test_a_priority_of_another_kelurahan_is_not_chosen_and_breaks_nothing(
    client, resident_user, outsider, foreign_rt, period
):
    foreign = PriorityItemFactory(forum=held_forum(rt=foreign_rt), title="Prioritas lain")
    client.force_login(resident_user)

    page = client.get(_form_url(foreign))
    junk = client.get(reverse("designing:proposal-create") + "?asal=bukan-kunci")

    assert (page.status_code, junk.status_code) == (200, 200)
    assert "Prioritas lain" not in page.content.decode()
    assert not _chosen(page.content.decode(), foreign)


def test_the_links_cost_no_query_per_priority(client, resident_user, priority):
    url = reverse("commissioning:forum-detail", args=[priority.forum.pk])
    client.force_login(resident_user)
    client.get(url)

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(7):
        PriorityItemFactory(forum=priority.forum)
    client.get(url)  # what the writes renewed (the city's places), read again once
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)

    assert page.content.decode().count(LINK) == 8
    assert len(many) == len(one)
