"""What a logged-in request reads of its person from the cache (account, assignments, the entry
they act as, the bell's count) is read in one cache read with the account, and a change made
after that read is never hidden by it."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from rtkeren.auth_backends import session_account
from rtkeren.models import Notification
from rtkeren.scopecache import ReadAhead, person_changed
from rtkeren.scopes import current_assignments
from rtkeren.selectors.notifications import unread_notification_count
from rtkeren.selectors.residents import acting_resident

pytestmark = pytest.mark.django_db


def _reads_of_person(client, user, path: str) -> tuple[int, int]:
    """The page's status and how many cache reads asked for the person's cached entries."""
    marker = f"person-entry:{user.pk}:"
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        response = client.get(path)
    reads = [call.args[0] for call in get_many.call_args_list]
    return response.status_code, sum(any(marker in key for key in keys) for keys in reads)


def test_a_page_reads_the_person_in_one_cache_read(client, resident_user):
    client.force_login(resident_user)
    # The first request fills what the login did not (the bell, the entry acted as).
    assert client.get(reverse("home")).status_code == 200

    assert _reads_of_person(client, resident_user, reverse("home")) == (200, 1)


def test_what_was_read_ahead_serves_every_read_of_the_request(resident_user):
    # Filled by a first request.
    first = session_account(resident_user.pk)
    current_assignments(first)
    acting_resident(first)
    unread_notification_count(first)

    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        account = session_account(resident_user.pk)
        assignments = current_assignments(account)
        resident = acting_resident(account)
        unread = unread_notification_count(account)

    assert get_many.call_count == 1
    assert [a.pk for a in assignments] == [a.pk for a in current_assignments(first)]
    assert resident.pk == resident_user.resident.pk
    assert unread == 0


def test_a_change_after_the_read_ahead_is_not_hidden_by_it(resident_user):
    first = session_account(resident_user.pk)
    assert unread_notification_count(first) == 0
    account = session_account(resident_user.pk)  # reads the count (0) ahead

    # Sent after the account was read, within the same request (a notification's save changes
    # the person's notifications version).
    Notification.objects.create(recipient=resident_user, message="Rapat RT besok malam.")

    assert unread_notification_count(account) == 1


def test_a_change_of_another_person_also_makes_it_read_again(resident_user, officer):
    # Any version changed by this process counts: the read-ahead does not weigh whose it was.
    first = session_account(resident_user.pk)
    unread_notification_count(first)
    account = session_account(resident_user.pk)
    person_changed(officer.pk)

    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        assert unread_notification_count(account) == 0

    assert get_many.call_count == 1


def test_what_was_not_there_when_read_ahead_is_read_again_once_stored(
    resident_user, django_assert_num_queries
):
    account = session_account(resident_user.pk)  # nothing but the account in the cache yet
    assert unread_notification_count(account) == 0  # counted and stored
    delattr(account, "_unread_notification_count")

    # From the cache, where it was just stored: not counted again because it was missing
    # when read ahead.
    with django_assert_num_queries(0):
        assert unread_notification_count(account) == 0


def test_a_cache_that_does_not_answer_leaves_every_read_to_itself():
    with mock.patch.object(cache, "get_many", side_effect=RedisConnectionError("down")):
        ahead = ReadAhead(["one", "two"])

    assert ahead.take(["one"]) is None
