"""Joint evaluation: the list, an activity's evaluations, a resident's own, one recorded on
behalf."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin
from rtkeren.offline import OfflineSubmissionView, offline_page
from rtkeren.paginate import TOTAL, CountedPageMixin, counted, counted_page
from rtkeren.permissions import can
from rtkeren.ratelimits import rate_limited

from .. import selectors, services
from ..forms import (
    SCORE_PREFIX,
    EvaluationForm,
    OnBehalfForm,
)
from ..models import Evaluation
from .common import (
    PAGE_SIZE,
    SUMMARY_FOLLOW_UPS,
    SUMMARY_OUTPUTS,
    ActivityMixin,
    _refused,
)


class EvaluationListView(LoginRequiredMixin, CountedPageMixin, ListView):
    """Delivered activities of the user's area; ``?show=todo``: those waiting for them."""

    template_name = "assessment/evaluation_list.html"
    context_object_name = "activities"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.to_do = self.request.GET.get("show") == "todo"
        return selectors.evaluation_activities(user=self.request.user, to_do=self.to_do)

    def get_context_data(self, **kwargs):
        return super().get_context_data(to_do=self.to_do, **kwargs)


class EvaluationSummaryView(ActivityMixin, DetailView):
    """The two sides' averages next to each other, with obstacles, suggestions and follow-ups."""

    template_name = "assessment/evaluation_summary.html"
    permission_required = "assessment.view_evaluations"

    def get_queryset(self):
        # When the evaluation window closes, read with the activity rather than on its own.
        return super().get_queryset().then(selectors.with_delivered_at)

    def get_context_data(self, **kwargs):
        user, activity = self.request.user, self.object
        comments = counted_page(
            selectors.evaluation_comments(activity), self.request.GET.get("page"), PAGE_SIZE
        )
        # The first few, each carrying how many there are in all (one query).
        follow_ups = (
            selectors.follow_ups_of_activity(activity)
            .then(counted)
            .sliced(0, SUMMARY_FOLLOW_UPS)
            .rows()
        )
        return super().get_context_data(
            summary=selectors.side_by_side(activity),
            own=selectors.own_evaluation(user=user, activity=activity, with_scores=False),
            refusal=services.evaluation_refusal(user=user, activity=activity),
            closes_at=selectors.window_closes_at(activity),
            comments_page=comments,
            follow_ups=follow_ups,
            follow_up_count=getattr(follow_ups[0], TOTAL) if follow_ups else 0,
            unfinished_outputs=selectors.unfinished_outputs_followed(
                selectors.one_activity(activity), limit=SUMMARY_OUTPUTS
            ),
            can_record=can(user, "assessment.record_on_behalf", activity),
            can_follow_up=can(user, "assessment.add_followup", activity),
            sees_names=can(user, "assessment.view_evaluator_names", activity),
            **kwargs,
        )


class EvaluationFormMixin(ServiceFormMixin):
    template_name = "assessment/evaluation_form.html"
    form_class = EvaluationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "criteria": selectors.criteria_for()}

    @method_decorator(rate_limited("evaluate"))
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def service_call(self, form):
        raise NotImplementedError

    def perform(self, form):
        evaluation = self.service_call(form)
        messages.success(self.request, _("Thank you: your evaluation is saved."))
        return redirect("assessment:evaluation-summary", pk=evaluation.activity_id)


@method_decorator(offline_page, name="dispatch")
class EvaluationEditView(EvaluationFormMixin, ActivityMixin, FormView):
    """The user's own evaluation: new, or changed while the window is open."""

    permission_required = "assessment.view_evaluations"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        activity = self.get_object()
        if not can(request.user, self.permission_required, activity):
            return self.handle_no_permission()
        self.own = selectors.own_evaluation(user=request.user, activity=activity)
        if self.own is not None and self.own.on_behalf:
            return _refused(request, activity, _on_behalf_refusal(self.own))
        refusal = services.evaluation_refusal(user=request.user, activity=activity)
        if refusal:
            return _refused(request, activity, refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "evaluation": self.own}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.object,
            evaluation=self.own,
            side=services.side_for(self.request.user, self.object),
            closes_at=selectors.window_closes_at(self.object),
            **kwargs,
        )

    def service_call(self, form):
        data = form.cleaned_data
        fields = {
            "by": self.request.user,
            "scores": form.scores(),
            "obstacles": data["obstacles"],
            "suggestions": data["suggestions"],
        }
        if self.own is not None:
            return services.evaluation_update(evaluation=self.own, **fields)
        return services.evaluation_submit(activity=self.object, **fields)


def _on_behalf_refusal(evaluation: Evaluation) -> str:
    return _(
        "Your evaluation was recorded on your behalf by %(name)s. Ask them if something in it "
        "should change."
    ) % {"name": evaluation.recorded_by}


class EvaluationSubmitView(OfflineSubmissionView):
    """The user's own evaluation, kept on a phone without a signal and sent as JSON: ``scores``
    (criterion id to a score), ``obstacles``, ``suggestions``, and ``evaluation``: the id of the
    evaluation the form changed, or null for a new one. Applied once per key through the same
    services and checks as the form; an evaluation given meanwhile elsewhere is a conflict."""

    kind = "evaluation"
    permission = "assessment.view_evaluations"
    rate_limit_group = "evaluate"

    def get_subject(self):
        return get_object_or_404(
            selectors.evaluated_activity_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def clean(self, data: dict, subject):
        scores = data.get("scores")
        changed = data.get("evaluation")
        if not isinstance(scores, dict) or not (
            changed is None or (isinstance(changed, int) and not isinstance(changed, bool))
        ):
            raise ValidationError(_("This submission could not be read. Fill in the form again."))
        fields = {f"{SCORE_PREFIX}{criterion}": str(value) for criterion, value in scores.items()}
        for name in ("obstacles", "suggestions"):
            value = data.get(name, "")
            fields[name] = value if isinstance(value, str) else ""
        form = EvaluationForm(fields, criteria=selectors.criteria_for())
        if not form.is_valid():
            raise ValidationError(
                list(dict.fromkeys(m for errors in form.errors.values() for m in errors))
            )
        return {
            "evaluation": changed,
            "scores": form.scores(),
            "obstacles": form.cleaned_data["obstacles"],
            "suggestions": form.cleaned_data["suggestions"],
        }

    def apply(self, subject, cleaned) -> str:
        user = self.request.user
        changed = cleaned.pop("evaluation")
        own = selectors.own_evaluation(user=user, activity=subject)
        if own is not None and own.on_behalf:
            raise ValidationError(_on_behalf_refusal(own))
        refusal = services.evaluation_refusal(user=user, activity=subject)
        if refusal:
            raise ValidationError(refusal)
        if changed is None:
            services.evaluation_submit(activity=subject, by=user, **cleaned)
        elif own is not None and own.pk == changed:
            services.evaluation_update(evaluation=own, by=user, **cleaned)
        else:
            raise ValidationError(
                _(
                    "The evaluation this change was made to is not there any more. Fill in the "
                    "form again."
                )
            )
        return _("Thank you: your evaluation is saved.")


class EvaluationRecordView(EvaluationFormMixin, ActivityMixin, FormView):
    """A chair or officer records a participant's evaluation on their behalf."""

    form_class = OnBehalfForm
    permission_required = "assessment.record_on_behalf"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            activity = self.get_object()
            refusal = services.evaluation_refusal(user=request.user, activity=activity)
            if refusal and can(request.user, "assessment.view_evaluations", activity):
                return _refused(request, activity, refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "residents": selectors.residents_without_evaluation(self.object),
        }

    def get_context_data(self, **kwargs):
        recorded = Paginator(
            Evaluation.objects.filter(activity=self.object, on_behalf=True)
            .select_related("resident", "recorded_by")
            .order_by("resident__name", "pk"),
            PAGE_SIZE,
        ).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            activity=self.object,
            on_behalf=True,
            recorded_page=recorded,
            closes_at=selectors.window_closes_at(self.object),
            **kwargs,
        )

    def service_call(self, form):
        data = form.cleaned_data
        return services.evaluation_record_on_behalf(
            activity=self.object,
            by=self.request.user,
            resident=data["resident"],
            scores=form.scores(),
            obstacles=data["obstacles"],
            suggestions=data["suggestions"],
        )


class EvaluationUpdateView(EvaluationFormMixin, ScopedObjectMixin, FormView):
    """Change an evaluation recorded on a resident's behalf."""

    permission_required = "assessment.record_on_behalf"
    context_object_name = "evaluation"

    def get_queryset(self):
        return Evaluation.objects.filter(
            on_behalf=True,
            activity__in=selectors.evaluated_activity_queryset(self.request.user).values("pk"),
        ).select_related("activity__period", "activity__rt__rw", "resident", "recorded_by")

    def get_permission_object(self):
        return self.get_object().activity

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            activity = self.get_object().activity
            refusal = services.evaluation_refusal(user=request.user, activity=activity)
            if refusal and can(request.user, "assessment.view_evaluations", activity):
                return _refused(request, activity, refusal)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "evaluation": self.object}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activity=self.object.activity,
            evaluation=self.object,
            on_behalf=True,
            closes_at=selectors.window_closes_at(self.object.activity),
            **kwargs,
        )

    def service_call(self, form):
        data = form.cleaned_data
        return services.evaluation_update(
            evaluation=self.object,
            by=self.request.user,
            scores=form.scores(),
            obstacles=data["obstacles"],
            suggestions=data["suggestions"],
        )
