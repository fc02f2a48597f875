"""Evaluation rounds and the attendance of their forums."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from rtkeren.mixins import (
    AttendancePageMixin,
    ScopedObjectMixin,
    ServiceFormMixin,
)
from rtkeren.permissions import PermissionRequiredMixin, can

from .. import selectors, services
from ..forms import (
    RoundForm,
)
from .common import (
    PAGE_SIZE,
)


class RoundListView(LoginRequiredMixin, ListView):
    template_name = "assessment/round_list.html"
    context_object_name = "rounds"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_open=can(self.request.user, "assessment.add_round", None), **kwargs
        )


class RoundCreateView(ServiceFormMixin, LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "assessment/round_form.html"
    form_class = RoundForm
    permission_required = "assessment.add_round"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        kelurahan, rts = selectors.round_places(self.request.user)
        return {**super().get_form_kwargs(), "kelurahan": kelurahan, "rts": rts}

    def perform(self, form):
        data = form.cleaned_data
        evaluation_round = services.round_open(
            by=self.request.user,
            place=data["place"],
            period=data["period"],
            title=data["title"],
            covers_from=data["covers_from"],
            covers_until=data["covers_until"],
            forum_on=data["forum_on"],
            forum_place=data["forum_place"],
        )
        messages.success(self.request, _("The evaluation round is open."))
        return redirect("assessment:round-detail", pk=evaluation_round.pk)


class RoundMixin(ScopedObjectMixin):
    context_object_name = "evaluation_round"

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user)


class RoundDetailView(RoundMixin, DetailView):
    template_name = "assessment/round_detail.html"
    permission_required = "assessment.view_round"

    def get_context_data(self, **kwargs):
        evaluation_round, user = self.object, self.request.user
        page = Paginator(selectors.round_activities(evaluation_round), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            activities_page=page,
            attendance_count=evaluation_round.attendances.count(),
            can_record=can(user, "assessment.record_forum_attendance", evaluation_round),
            can_close=can(user, "assessment.close_round", evaluation_round),
            **kwargs,
        )


class RoundAttendanceView(AttendancePageMixin, RoundMixin, FormView):
    """Tick who came to the round's evaluation forum, a page of residents at a time."""

    template_name = "assessment/round_attendance.html"
    permission_required = "assessment.record_forum_attendance"

    def attendance_residents(self, filters: dict):
        return selectors.residents_for_attendance(self.get_object(), name=filters.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(evaluation_round=self.object, **kwargs)

    def record(self, form) -> str:
        present, shown = form.present(), form.cleaned_data["shown"]
        added, removed = services.forum_attendance_set(
            evaluation_round=self.object,
            by=self.request.user,
            present=[resident for resident in form.residents if resident.pk in present],
            shown=[resident for resident in form.residents if resident.pk in shown],
        )
        return _("Attendance saved: %(added)s marked present, %(removed)s removed.") % {
            "added": added,
            "removed": removed,
        }


class RoundCloseView(RoundMixin, View):
    permission_required = "assessment.close_round"

    def post(self, request, *args, **kwargs):
        evaluation_round = self.get_object()
        try:
            moved, still_open = services.round_close(
                evaluation_round=evaluation_round, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "The round is closed: %(moved)s activities are now evaluated; "
                    "%(open)s still have an open evaluation window."
                )
                % {"moved": moved, "open": still_open},
            )
        return redirect("assessment:round-detail", pk=evaluation_round.pk)
