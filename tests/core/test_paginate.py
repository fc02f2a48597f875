"""One query for a page and the list's length, whatever the list holds."""

import pytest

from rtkeren import prepared
from rtkeren.models import Kelurahan
from rtkeren.paginate import counted_page
from rtkeren.prepared import Prepared
from tests.prepared_support import shapes_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("asked", "number", "names"),
    [("1", 1, 8), ("3", 3, 5), (None, 1, 8), ("x", 1, 8), ("-2", 1, 8)],
)
def test_a_page_and_the_count_in_one_query(django_assert_num_queries, asked, number, names):
    kelurahan = Kelurahan.objects.order_by("code")
    total = kelurahan.count()

    with django_assert_num_queries(1):
        page = counted_page(kelurahan, asked, 8)
        shown = [place.code for place in page.object_list]

    assert (page.number, page.paginator.count) == (number, total)
    assert shown == list(kelurahan.values_list("code", flat=True))[(number - 1) * 8 :][:8]
    assert len(shown) == min(names, total - (number - 1) * 8)


@pytest.mark.parametrize("asked", ["99", "9" * 40])
def test_past_the_last_page_gives_the_last(asked):
    """However large the number typed in the URL: no database error, the last page."""
    kelurahan = Kelurahan.objects.order_by("code")
    last = (kelurahan.count() + 7) // 8

    page = counted_page(kelurahan, asked, 8)

    assert page.number == last
    assert not page.has_next()


def test_an_empty_list_is_one_empty_first_page(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = counted_page(Kelurahan.objects.filter(code="tidak-ada").order_by("code"), "1", 8)
        assert list(page.object_list) == []

    assert (page.number, page.paginator.count, page.paginator.num_pages) == (1, 0, 1)


def kelurahan_by_code(shape, values):
    return Kelurahan.objects.order_by("code")


@pytest.mark.usefixtures("no_prepared_shapes")
def test_every_page_past_the_first_is_one_prepared_shape(django_assert_num_queries):
    """A page number typed in the URL prepares nothing new: its offset is a value."""
    query = Prepared(Kelurahan, kelurahan_by_code, (), {})
    codes = list(Kelurahan.objects.order_by("code").values_list("code", flat=True))
    total = len(codes)
    last = (total + 2) // 3

    for number in range(1, last + 1):
        with django_assert_num_queries(1):
            page = counted_page(query, str(number), 3)
        assert [place.code for place in page.object_list] == codes[(number - 1) * 3 :][:3]
        assert page.paginator.count == total
    assert counted_page(query, "99", 3).number == last

    kept = shapes_of(kelurahan_by_code) + shapes_of(prepared._sliced)
    # The first page, and one shape for all the others.
    assert len(kept) == 2
    assert prepared._UNPREPARED not in kept
    [statement] = shapes_of(prepared._sliced)
    assert statement.sql.endswith(" OFFSET %s")
