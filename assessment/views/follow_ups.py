"""Follow-ups of what an evaluation found."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin
from rtkeren.permissions import can

from .. import selectors, services
from ..forms import (
    FollowUpForm,
    FollowUpUpdateForm,
)
from ..models import Evaluation, FollowUp
from .common import (
    PAGE_SIZE,
    ActivityMixin,
)


class FollowUpListView(LoginRequiredMixin, ListView):
    template_name = "assessment/followup_list.html"
    context_object_name = "follow_ups"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        params = self.request.GET
        self.filters = {
            "status": params.get("status", "") if params.get("status") in FollowUp.Status else "",
            "mine": params.get("mine") == "1",
            "overdue": params.get("overdue") == "1",
        }
        return selectors.follow_up_list(user=self.request.user, **self.filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filters=self.filters, statuses=FollowUp.Status.choices, **kwargs
        )


def output_obstacle(output) -> str:
    """What the follow-up form starts from for an unfinished output."""
    text = _("%(name)s: %(finished)s of %(target)s %(unit)s finished.") % {
        "name": output.name,
        "finished": output.finished,
        "target": output.target,
        "unit": output.unit,
    }
    return f"{text} {output.obstacle_text}".strip()


class FollowUpCreateView(ServiceFormMixin, ActivityMixin, FormView):
    template_name = "assessment/followup_form.html"
    form_class = FollowUpForm
    permission_required = "assessment.add_followup"

    def get_evaluation(self):
        """The evaluation whose obstacle is followed up (``?evaluation=``), read once."""
        if not hasattr(self, "_evaluation"):
            evaluation_id = self.request.GET.get("evaluation") or self.request.POST.get(
                "evaluation"
            )
            self._evaluation = (
                Evaluation.objects.filter(activity=self.get_object(), pk=evaluation_id).first()
                if str(evaluation_id or "").isdecimal()
                else None
            )
        return self._evaluation

    def get_output(self):
        """The unfinished output followed up (``?output=``), read once."""
        if not hasattr(self, "_output"):
            output_id = self.request.GET.get("output") or self.request.POST.get("output")
            self._output = selectors.unfinished_output_of(self.get_object(), output_id)
        return self._output

    def get_initial(self):
        evaluation, output = self.get_evaluation(), self.get_output()
        if output is not None:
            return {"obstacle": output_obstacle(output)}
        return {"obstacle": evaluation.obstacles} if evaluation else {}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "owners": selectors.follow_up_owners(self.get_object()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.object,
            evaluation=self.get_evaluation(),
            output=self.get_output(),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        follow_up = services.follow_up_create(
            activity=self.object,
            by=self.request.user,
            evaluation=self.get_evaluation(),
            output=self.get_output(),
            obstacle=data["obstacle"],
            action=data["action"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        messages.success(self.request, _("The follow-up is recorded and its owner notified."))
        return redirect("assessment:followup-detail", pk=follow_up.pk)


class FollowUpMixin(ScopedObjectMixin):
    context_object_name = "follow_up"

    def get_queryset(self):
        return selectors.follow_up_detail_queryset(self.request.user)


class FollowUpDetailView(FollowUpMixin, DetailView):
    template_name = "assessment/followup_detail.html"
    permission_required = "assessment.view_followup"

    def get_context_data(self, **kwargs):
        follow_up, user = self.object, self.request.user
        form = None
        if can(user, "assessment.change_followup", follow_up):
            form = FollowUpUpdateForm(
                instance=follow_up, owners=selectors.follow_up_owners(follow_up.activity)
            )
        return super().get_context_data(form=form, **kwargs)


class FollowUpUpdateView(ServiceFormMixin, FollowUpMixin, FormView):
    template_name = "assessment/followup_detail.html"
    form_class = FollowUpUpdateForm
    permission_required = "assessment.change_followup"

    def get_form_kwargs(self):
        follow_up = self.get_object()
        # A copy, so that a refused change does not show on the page as if it were saved.
        shown = FollowUp.objects.get(pk=follow_up.pk)
        return {
            **super().get_form_kwargs(),
            "instance": shown,
            "owners": selectors.follow_up_owners(follow_up.activity),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(follow_up=self.object, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.follow_up_update(
            follow_up=self.object,
            by=self.request.user,
            status=data["status"],
            resolution=data["resolution"],
            due_on=data["due_on"],
            owner=data["owner"],
        )
        messages.success(self.request, _("The follow-up is updated."))
        return redirect("assessment:followup-detail", pk=self.object.pk)
