"""The user's own notifications: the list, marking all read, opening one, and choosing where
they reach the person."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView

from rtkeren.forms.notifications import ConsentWithdrawForm, NotificationPreferencesForm
from rtkeren.mixins import form_add_service_errors
from rtkeren.models import Notification
from rtkeren.selectors.notifications import notification_settings
from rtkeren.services.notifications import notification_mark_read
from rtkeren.services.preferences import STALE_FORM, notification_preferences_update
from rtkeren.services.privacy import consent_withdraw


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


@method_decorator(never_cache, name="dispatch")
class NotificationPreferencesView(LoginRequiredMixin, FormView):
    """Where the logged-in person's notifications reach them, per kind and channel, and the
    consent WhatsApp and SMS need. Always about ``request.user``: there is no id to change."""

    template_name = "rtkeren/notification_preferences.html"
    form_class = NotificationPreferencesForm

    def get_success_url(self):
        return reverse("notification-preferences")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self._current = None

    @property
    def current(self):
        if self._current is None:
            self._current = notification_settings(self.request.user)
        return self._current

    def get_initial(self):
        current = self.current
        return {
            "enabled": [
                f"{row.kind}:{setting.channel}"
                for row in current.kinds
                for setting, on in row.channels
                if on
            ],
            "digest": current.digest,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        # Shown again after a refusal: the boxes as the person ticked them.
        ticked = set(form["enabled"].value() or [])
        consent_ticked = set(form["consent_to"].value() or [])
        kinds = [
            {
                "kind": row.kind,
                "label": row.label,
                "channels": [
                    {"setting": setting, "on": f"{row.kind}:{setting.channel}" in ticked}
                    for setting, _on in row.channels
                ],
            }
            for row in self.current.kinds
        ]
        return {
            **context,
            "settings": self.current,
            "channels": list(self.current.channels.values()),
            "kinds": kinds,
            "consent_ticked": consent_ticked,
        }

    def post(self, request, *args, **kwargs):
        if "withdraw" in request.POST:
            return self.withdraw()
        return super().post(request, *args, **kwargs)

    def withdraw(self):
        form = ConsentWithdrawForm(self.request.POST)
        resident = self.current.resident
        if not form.is_valid() or resident is None:
            messages.error(self.request, STALE_FORM)
            return redirect("notification-preferences")
        consent_withdraw(
            resident=resident, purpose=form.cleaned_data["withdraw"], by=self.request.user
        )
        messages.success(
            self.request,
            _("Your consent has been withdrawn: messages not sent yet that way are cancelled."),
        )
        return redirect("notification-preferences")

    def form_valid(self, form):
        try:
            notification_preferences_update(
                user=self.request.user,
                enabled=form.pairs(),
                digest=form.cleaned_data["digest"],
                consent_to=form.cleaned_data["consent_to"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your notification choices have been saved."))
        return super().form_valid(form)


urlpatterns = [
    path("", NotificationListView.as_view(), name="notification-list"),
    path("baca-semua/", notification_read_all, name="notification-read-all"),
    path("<int:pk>/baca/", notification_read, name="notification-read"),
    path("pengaturan/", NotificationPreferencesView.as_view(), name="notification-preferences"),
]
