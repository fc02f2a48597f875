"""The personal calendar feed: read by a calendar application at its secret address, made and
revoked by its owner from the profile page."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from rtkeren.calendars import FEED_DAYS_BACK, FEED_LIMIT, feed_response
from rtkeren.models import CalendarFeed
from rtkeren.ratelimits import rate_limited
from rtkeren.registry import calendar_events_for
from rtkeren.services import calendars as services


def feed_key(group: str, request) -> str:
    """The feed address asked for: one leaked address polled hard is stopped on its own."""
    return "feed:" + request.resolver_match.kwargs.get("token", "")[:64]


@method_decorator(never_cache, name="dispatch")
@method_decorator(
    rate_limited("calendar_feed", methods=("GET", "HEAD"), account_key=feed_key), name="dispatch"
)
class CalendarFeedView(View):
    """The feed at its secret address: the address is the credential, so there is no login;
    an unknown or revoked address, or one of an account that is closed, is a 404."""

    http_method_names = ["get", "head"]

    def get(self, request, token: str):
        feed = (
            CalendarFeed.objects.active()
            .filter(token=token, user__is_active=True)
            .select_related("user")
            .first()
        )
        if feed is None:
            raise Http404
        since = timezone.localdate() - datetime.timedelta(days=FEED_DAYS_BACK)
        return feed_response(calendar_events_for(feed.user, since=since, limit=FEED_LIMIT))


class CalendarFeedCreateView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.calendar_feed_create(user=request.user)
        messages.success(
            request,
            _("Your calendar address is ready. Any address you had before no longer works."),
        )
        return redirect("account-profile")


class CalendarFeedRevokeView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        services.calendar_feed_revoke(user=request.user)
        messages.success(request, _("Your calendar address no longer works."))
        return redirect("account-profile")


urlpatterns = [
    path("buat/", CalendarFeedCreateView.as_view(), name="calendar-feed-create"),
    path("cabut/", CalendarFeedRevokeView.as_view(), name="calendar-feed-revoke"),
    path("<str:token>.ics", CalendarFeedView.as_view(), name="calendar-feed"),
]
