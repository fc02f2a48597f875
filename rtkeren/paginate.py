"""A page of a list and the list's length in one query.

Django's ``Paginator`` counts the rows, then reads the page: two queries, and only one when the
list is empty. A page that reads its rows with a window count (``COUNT(*) OVER ()``) on each
takes one query whatever the list holds, so that a page's queries do not depend on its data.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

from rtkeren.prepared import Prepared

TOTAL = "_page_total"
#: A page number past any list: a larger one typed in the URL would overflow the database's
#: OFFSET (an error, not a page), so it is read as this, which gives the last page.
MAX_PAGE = 1_000_000


def counted_page(queryset: QuerySet | Prepared, number, per_page: int) -> Page:
    """The page ``number`` (as ``Paginator.get_page`` takes it: a page out of range or not a
    number gives the last page or the first) of ``queryset``, ``per_page`` rows a page: one
    query, a second only for a number past the last page. A prepared query
    (``rtkeren.prepared``) reads its page prepared."""
    paginator = Paginator(queryset if isinstance(queryset, QuerySet) else [], per_page)
    try:
        number = min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    rows = _rows(queryset, number, per_page)
    if not rows and number > 1:
        # Past the end: the last page, as ``get_page`` gives.
        total = queryset.count()
        number = max((total + per_page - 1) // per_page, 1)
        rows = _rows(queryset, number, per_page)
    # The count Django would ask for, known already: numbering the page asks nothing more.
    paginator.__dict__["count"] = getattr(rows[0], TOTAL) if rows else 0
    page = paginator.page(number)
    page.object_list = rows
    return page


def _rows(queryset: QuerySet | Prepared, number: int, per_page: int) -> list:
    start = (number - 1) * per_page
    if isinstance(queryset, Prepared):
        return queryset.then(counted).sliced(start, per_page).rows()
    return list(counted_slice(queryset, start, per_page))


def counted(queryset: QuerySet) -> QuerySet:
    """Each row of ``queryset`` with the list's length (``TOTAL``)."""
    return queryset.annotate(**{TOTAL: Window(Count("pk"))})


def counted_slice(queryset: QuerySet, start: int, per_page: int) -> QuerySet:
    """The rows ``start`` to ``start + per_page``, each with the list's length (``TOTAL``)."""
    return counted(queryset)[start : start + per_page]


class CountedPageMixin:
    """For a ``ListView``: its page and the list's length read in one query (``counted_page``)
    instead of Django's count and page. A page number out of range or not a number gives the
    last page or the first, as the page links never lead elsewhere."""

    def paginate_queryset(self, queryset, page_size):
        number = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        page = counted_page(queryset, number, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()
