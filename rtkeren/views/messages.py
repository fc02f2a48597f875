"""Outgoing WhatsApp and SMS messages, for the officers of the recipients' kelurahan: which
failed and why, and sending a failed one again."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, View

from rtkeren.forms.messages import OutboundMessageFilterForm
from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import OutboundMessage
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.selectors.messages import outbound_messages_for
from rtkeren.services.messages import outbound_message_retry


@method_decorator(never_cache, name="dispatch")
class OutboundMessageListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "rtkeren.list_outbound_messages"
    template_name = "rtkeren/outboundmessage_list.html"
    context_object_name = "outbound_messages"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = OutboundMessageFilterForm(self.request.GET or None)
        return outbound_messages_for(self.request.user, **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, failed=OutboundMessage.Status.FAILED, **kwargs
        )


class OutboundMessageRetryView(ScopedObjectMixin, View):
    permission_required = "rtkeren.retry_outbound_message"
    http_method_names = ["post"]

    def get_queryset(self):
        return outbound_messages_for(self.request.user)

    def get_permission_object(self):
        return self.get_object().user.resident

    def post(self, request, *args, **kwargs):
        try:
            outbound_message_retry(message=self.get_object(), by=request.user)
            messages.success(request, _("The message will be sent again."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("outbound-message-list")


urlpatterns = [
    path("", OutboundMessageListView.as_view(), name="outbound-message-list"),
    path(
        "<int:pk>/kirim-ulang/",
        OutboundMessageRetryView.as_view(),
        name="outbound-message-retry",
    ),
]
