"""The search box: what the signed-in person may see that matches their words."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from rtkeren.search import QUERY_MAX, search


@require_GET
@login_required
def search_page(request):
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    results = search(request.user, query) if query else []
    return render(
        request,
        "rtkeren/search.html",
        {
            "query": query,
            "results": results,
            "found": sum(len(hits) for _name, hits in results),
            "query_max": QUERY_MAX,
        },
    )


urlpatterns = [path("", search_page, name="search")]
