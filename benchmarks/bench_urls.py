"""The portal's URLs and ``/bench/ok``: a view that answers "ok" through the same middleware,
server and database connection setup, and so measures the stack without the page."""

from django.http import HttpResponse
from django.urls import path

from rtkeren.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok", bare, name="bench-ok"), *portal_urlpatterns]
