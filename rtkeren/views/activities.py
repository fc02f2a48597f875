"""Activity pages: the list, the detail with its timeline and status buttons, and the history."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView
from django.views.generic.base import View
from django.views.generic.detail import SingleObjectMixin

from rtkeren.forms.activities import ActivityFilterForm, TransitionForm
from rtkeren.mixins import ScopedObjectMixin
from rtkeren.models import ActivityStatus
from rtkeren.permissions import can
from rtkeren.registry import activity_history_related, links_for_activity
from rtkeren.selectors.activities import (
    activities_visible_to,
    activity_detail_queryset,
    activity_list,
)
from rtkeren.selectors.history import history_page
from rtkeren.services.activities import SERVICES
from rtkeren.transitions import TRANSITIONS, TransitionForbidden, available_transitions


class ActivityListView(LoginRequiredMixin, ListView):
    template_name = "rtkeren/activity_list.html"
    context_object_name = "activities"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = ActivityFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return activity_list(
            user=self.request.user,
            status=filters.get("status", ""),
            period=filters.get("period"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class ActivityDetailView(ScopedObjectMixin, DetailView):
    """Out of the user's scope is 404 (the queryset); the permission guards the same line again."""

    template_name = "rtkeren/activity_detail.html"
    context_object_name = "activity"
    permission_required = "rtkeren.view_activity"

    def get_queryset(self):
        return activity_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        activity = self.object
        user = self.request.user
        actions = [
            {
                "transition": transition,
                "blocked": blocked,
                # Each reason field gets its own id: a page may offer reject and cancel at once.
                "form": TransitionForm(auto_id=f"{transition.target}-%s")
                if transition.needs_reason
                else None,
            }
            for transition, blocked in available_transitions(activity=activity, user=user)
        ]
        return super().get_context_data(
            actions=actions,
            can_view_history=can(user, "rtkeren.view_activity_history", activity),
            stage_links=links_for_activity(activity),
            **kwargs,
        )


class ActivityTransitionView(LoginRequiredMixin, SingleObjectMixin, View):
    """Moves the activity to the status in the URL through that transition's service."""

    http_method_names = ["post"]

    def get_queryset(self):
        return activities_visible_to(self.request.user)

    def post(self, request, *args, **kwargs):
        activity = self.get_object()
        to_status = kwargs["to_status"]
        if to_status not in SERVICES:
            raise Http404
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return self.back(activity)
        options = (
            {"reason": form.cleaned_data["reason"]} if TRANSITIONS[to_status].needs_reason else {}
        )
        try:
            SERVICES[to_status](activity=activity, by=request.user, **options)
        except TransitionForbidden as error:
            raise PermissionDenied(error.messages[0]) from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The activity is now: %(status)s.") % {"status": ActivityStatus(to_status).label},
            )
        return self.back(activity)

    def back(self, activity):
        return HttpResponseRedirect(reverse("activity-detail", args=[activity.pk]))


class ActivityHistoryView(ScopedObjectMixin, DetailView):
    """Every saved version of the activity, newest first, with what changed in each."""

    template_name = "rtkeren/activity_history.html"
    context_object_name = "activity"
    permission_required = "rtkeren.view_activity_history"

    def get_queryset(self):
        return activities_visible_to(self.request.user).with_places()

    def get_context_data(self, **kwargs):
        page = history_page(self.object, self.request.GET.get("page"))
        related = activity_history_related.collect(self.object)
        return super().get_context_data(
            page_obj=page, entries=page.object_list, related=related, **kwargs
        )


urlpatterns = [
    path("", ActivityListView.as_view(), name="activity-list"),
    path("<int:pk>/", ActivityDetailView.as_view(), name="activity-detail"),
    path(
        "<int:pk>/status/<str:to_status>/",
        ActivityTransitionView.as_view(),
        name="activity-transition",
    ),
    path("<int:pk>/riwayat/", ActivityHistoryView.as_view(), name="activity-history"),
]
