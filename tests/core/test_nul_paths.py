"""A NUL character in a URL's path names no page: a 404, never a 500 (PostgreSQL refuses such
a text, and path converters such as ``<str:code>`` let it through)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _with_nul(name, *args):
    return reverse(name, args=[*args[:-1], "PLACE"]).replace("PLACE", "%00" + args[-1])


@pytest.mark.parametrize(
    "url",
    [
        _with_nul("public-kelurahan", ""),
        _with_nul("public-kelurahan", "35.72.01.1001"),
        _with_nul("public-spending", ""),
        _with_nul("calendar-feed", "token"),
        _with_nul("delivery:meeting-checkin", 1, "token"),
    ],
)
def test_a_nul_in_the_path_is_a_page_not_found_before_any_query(
    client, resident_user, url, django_assert_max_num_queries
):
    with django_assert_max_num_queries(0):
        response = client.get(url)
    assert response.status_code == 404

    client.force_login(resident_user)
    assert client.get(url).status_code == 404
