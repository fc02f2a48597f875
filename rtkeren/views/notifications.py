"""The user's own notifications: the list, marking all read, and opening one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from rtkeren.models import Notification
from rtkeren.services.notifications import notification_mark_read


def _own_notifications(user):
    return Notification.objects.filter(recipient=user)


class NotificationListView(LoginRequiredMixin, ListView):
    """Unread first. Opening the list marks nothing read: a glance is not reading."""

    template_name = "rtkeren/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return (
            _own_notifications(self.request.user)
            .annotate(
                is_unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
            )
            .order_by("-is_unread", "-created_at", "-pk")
        )


@login_required
@require_POST
def notification_read_all(request: HttpRequest):
    count = notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification-list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int):
    """Mark one notification read and follow its link, if the link stays on this portal."""
    notification = get_object_or_404(_own_notifications(request.user), pk=pk)
    notification_mark_read(user=request.user, notifications=[notification])
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(notification.url)
    return HttpResponseRedirect(reverse("notification-list"))


urlpatterns = [
    path("", NotificationListView.as_view(), name="notification-list"),
    path("baca-semua/", notification_read_all, name="notification-read-all"),
    path("<int:pk>/baca/", notification_read, name="notification-read"),
]
