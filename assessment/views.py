"""Pages of co-assessment. Every object is looked up within the user's reach (out of reach:
404), then the permission is checked (in reach without the right: 403); services do the rest."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from rtkeren.exports import XLSX_CONTENT_TYPE
from rtkeren.mixins import AttendancePageMixin, ScopedObjectMixin, form_add_service_errors
from rtkeren.models import RT, Activity, ActivityStatus, Period
from rtkeren.paginate import counted_page
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.ratelimits import rate_limited
from rtkeren.selectors.activities import home_kelurahan_ids
from rtkeren.selectors.reports import chosen_period

from . import scorecard, selectors, services
from .export import scorecard_workbook
from .forms import (
    EvaluationForm,
    FollowUpForm,
    FollowUpUpdateForm,
    OnBehalfForm,
    RoundForm,
    ThresholdForm,
)
from .models import Evaluation, FollowUp
from .scorecard import Scope

PAGE_SIZE = 25
SUMMARY_FOLLOW_UPS = 10
SUMMARY_OUTPUTS = 20
SCORECARD_OUTPUTS = 25


def _refused(request, activity, message: str):
    return render(
        request,
        "assessment/evaluation_refused.html",
        {"activity": activity, "message": message},
        status=403,
    )


class ActivityMixin(ScopedObjectMixin):
    context_object_name = "activity"

    def get_queryset(self):
        return selectors.evaluated_activity_queryset(self.request.user)


# Evaluations.


class EvaluationListView(LoginRequiredMixin, ListView):
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

    def get_context_data(self, **kwargs):
        user, activity = self.request.user, self.object
        comments = counted_page(
            selectors.evaluation_comments(activity), self.request.GET.get("page"), PAGE_SIZE
        )
        # The first few, each carrying how many there are in all (one query).
        follow_ups = list(
            selectors.follow_up_list(user=user, activity=activity).annotate(
                total=Window(Count("pk"))
            )[:SUMMARY_FOLLOW_UPS]
        )
        return super().get_context_data(
            summary=selectors.side_by_side(activity),
            own=selectors.own_evaluation(user=user, activity=activity, with_scores=False),
            refusal=services.evaluation_refusal(user=user, activity=activity),
            closes_at=selectors.window_closes_at(activity),
            comments_page=comments,
            follow_ups=follow_ups,
            follow_up_count=follow_ups[0].total if follow_ups else 0,
            unfinished_outputs=selectors.unfinished_outputs_followed(
                Activity.objects.filter(pk=activity.pk), limit=SUMMARY_OUTPUTS
            ),
            can_record=can(user, "assessment.record_on_behalf", activity),
            can_follow_up=can(user, "assessment.add_followup", activity),
            sees_names=can(user, "assessment.view_evaluator_names", activity),
            **kwargs,
        )


class EvaluationFormMixin:
    template_name = "assessment/evaluation_form.html"
    form_class = EvaluationForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "criteria": selectors.criteria_for()}

    @method_decorator(rate_limited("evaluate"))
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def service_call(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            evaluation = self.service_call(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Thank you: your evaluation is saved."))
        return redirect("assessment:evaluation-summary", pk=evaluation.activity_id)


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
            return _refused(
                request,
                activity,
                _(
                    "Your evaluation was recorded on your behalf by %(name)s. Ask them if "
                    "something in it should change."
                )
                % {"name": self.own.recorded_by},
            )
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


# Follow-ups.


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


class FollowUpCreateView(ActivityMixin, FormView):
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

    def form_valid(self, form):
        data = form.cleaned_data
        try:
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
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
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


class FollowUpUpdateView(FollowUpMixin, FormView):
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

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.follow_up_update(
                follow_up=self.object,
                by=self.request.user,
                status=data["status"],
                resolution=data["resolution"],
                due_on=data["due_on"],
                owner=data["owner"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The follow-up is updated."))
        return redirect("assessment:followup-detail", pk=self.object.pk)


# Evaluation rounds.


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


class RoundCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "assessment/round_form.html"
    form_class = RoundForm
    permission_required = "assessment.add_round"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        kelurahan, rts = selectors.round_places(self.request.user)
        return {**super().get_form_kwargs(), "kelurahan": kelurahan, "rts": rts}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
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
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
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


# The co-production scorecard.


class ScorecardMixin:
    """The period chosen (``?period=``, else the current one) and one view of the scope's
    scorecard (``?view=``): the scorecard itself, its places side by side (``compare``), or
    the same scope across periods (``periods``); ``?export=xlsx`` gives that view in Excel.
    One view per request keeps each answer to a single pass over the ledger."""

    template_name = "assessment/scorecard_detail.html"
    comparison_kind = ""

    def get_period(self):
        period, self.periods = chosen_period(self.request)
        return period

    def get_scope(self) -> Scope:
        raise NotImplementedError

    def can_compare(self) -> bool:
        return bool(self.comparison_kind)

    def get_comparison(self, period, sort, descending):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        period = self.get_period()
        if period is None:
            raise Http404(_("No budget period has been set up yet."))
        scope = self.get_scope()
        view = request.GET.get("view", "")
        if view not in ("compare", "periods") or (view == "compare" and not self.can_compare()):
            view = "card"
        sort = request.GET.get("sort", "name")
        sort = sort if sort in scorecard.SORT_CHOICES else "name"
        descending = request.GET.get("order") == "desc"
        card, comparison, trend = None, [], []
        if view == "compare":
            comparison = self.get_comparison(period, sort, descending)
        elif view == "periods":
            trend = scorecard.across_periods(scope=scope, periods=self.periods)
        else:
            card = scorecard.scorecard(scope=scope, period=period)
        if request.GET.get("export") == "xlsx":
            response = HttpResponse(
                scorecard_workbook(card=card, comparison=comparison, trend=trend),
                content_type=XLSX_CONTENT_TYPE,
            )
            name = slugify(f"skor-{scope.name}-{period.year}-{view}")
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        unfinished = (
            selectors.unfinished_outputs_followed(
                Activity.objects.filter(
                    scope.own_activities(),
                    period=period,
                    status__in=(ActivityStatus.DELIVERED, ActivityStatus.EVALUATED),
                ),
                limit=SCORECARD_OUTPUTS + 1,
            )
            if card
            else []
        )
        return render(
            request,
            self.template_name,
            {
                "scope": scope,
                "view": view,
                "card": card,
                "period": period,
                "periods": self.periods,
                "comparison": comparison,
                "comparison_kind": self.comparison_kind,
                "can_compare": self.can_compare(),
                "trend": trend,
                "unfinished_outputs": unfinished[:SCORECARD_OUTPUTS],
                "more_unfinished_outputs": len(unfinished) > SCORECARD_OUTPUTS,
                "sort": sort,
                "descending": descending,
                "can_change_thresholds": can(request.user, "assessment.change_thresholds"),
                **self.extra_context_data(),
            },
        )

    def extra_context_data(self) -> dict:
        return {}


class ScorecardHomeView(LoginRequiredMixin, View):
    """The scorecard closest to the user: the city's, else their kelurahan's."""

    def get(self, request):
        if can(request.user, "assessment.view_city_scorecard"):
            return redirect("assessment:scorecard-city")
        kelurahan = sorted(home_kelurahan_ids(request.user))
        if not kelurahan:
            raise PermissionDenied
        return redirect("assessment:scorecard-kelurahan", pk=kelurahan[0])


class ScorecardCityView(LoginRequiredMixin, PermissionRequiredMixin, ScorecardMixin, View):
    permission_required = "assessment.view_city_scorecard"
    comparison_kind = "kelurahan"

    def get_permission_object(self):
        return None

    def get_scope(self):
        return Scope()

    def get_comparison(self, period, sort, descending):
        return scorecard.compare_kelurahan(period=period, sort=sort, descending=descending)


class ScorecardKelurahanView(ScopedObjectMixin, ScorecardMixin, View):
    permission_required = "assessment.view_kelurahan_scorecard"
    comparison_kind = "rt"

    def get_queryset(self):
        return selectors.scorecard_kelurahan_for(self.request.user)

    def get_scope(self):
        return Scope(kelurahan=self.get_object())

    def can_compare(self) -> bool:
        return can(self.request.user, "assessment.compare_rts", self.get_object())

    def get_comparison(self, period, sort, descending):
        return scorecard.compare_rts(
            kelurahan=self.object, period=period, sort=sort, descending=descending
        )

    def extra_context_data(self):
        return {"home_rts": selectors.scorecard_rts_for(self.request.user, self.object)}


class ScorecardRtView(ScopedObjectMixin, ScorecardMixin, View):
    permission_required = "assessment.view_rt_scorecard"

    def get_queryset(self):
        return RT.objects.filter(
            rw__kelurahan__in=selectors.scorecard_kelurahan_for(self.request.user)
        ).select_related("rw__kelurahan")

    def get_scope(self):
        return Scope(kelurahan=self.get_object().rw.kelurahan, rt=self.object)

    def extra_context_data(self):
        return {"kelurahan": self.object.rw.kelurahan}


class ThresholdUpdateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    """Admins set the period's thresholds; the history says who changed what."""

    template_name = "assessment/threshold_form.html"
    form_class = ThresholdForm
    permission_required = "assessment.change_thresholds"
    history_rows = 20

    def get_permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        self.period = get_object_or_404(Period.objects.all(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {field: getattr(self.period, field) for field in services.THRESHOLD_FIELDS}

    def get_context_data(self, **kwargs):
        history = list(
            self.period.history.select_related("history_user").order_by("-history_date")[
                : self.history_rows
            ]
        )
        return super().get_context_data(
            period=self.period, history=history, fields=services.THRESHOLD_FIELDS, **kwargs
        )

    def form_valid(self, form):
        try:
            services.period_thresholds_set(
                period=self.period,
                by=self.request.user,
                thresholds={
                    field.removeprefix("threshold_"): value
                    for field, value in form.cleaned_data.items()
                },
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The thresholds are saved."))
        return redirect("assessment:scorecard-thresholds", pk=self.period.pk)
