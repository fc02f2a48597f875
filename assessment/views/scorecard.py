"""The co-production scorecard: of the city, a kelurahan, an RT; and its thresholds."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from rtkeren.exports import XLSX_CONTENT_TYPE
from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin
from rtkeren.models import Period
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.selectors.activities import home_kelurahan_ids
from rtkeren.selectors.reports import chosen_period

from .. import scorecard, selectors, services
from ..export import scorecard_workbook
from ..forms import (
    ThresholdForm,
)
from ..scorecard import Scope
from .common import (
    SCORECARD_OUTPUTS,
)

# The direction a comparison's column sorts in when first chosen: the largest shortfall first,
# every other column from its lowest (a stage's weakest places first).
FIRST_DESCENDING = {"shortfall"}


def comparison_order(params) -> tuple[str, bool]:
    """The column to sort a comparison by (``?sort=``) and whether descending (``?order=asc|desc``,
    else the column's own direction); the default order (the largest shortfall first) unless a
    known column is named."""
    sort = params.get("sort", "")
    if sort not in scorecard.SORT_CHOICES:
        return scorecard.DEFAULT_SORT, scorecard.DEFAULT_SORT in FIRST_DESCENDING
    order = params.get("order", "")
    descending = order == "desc" if order in ("asc", "desc") else sort in FIRST_DESCENDING
    return sort, descending


def sort_links(*, period, sort: str, descending: bool, cards) -> dict:
    """For each column a comparison sorts by: the query that sorts by it (the other direction
    when it is the column sorted by) and its ``aria-sort``; the stages' also their label and
    threshold (the rows' own, which a closed period stored), in the rows' order of stages."""

    def column(key):
        sorted_by = key == sort
        goes_descending = not descending if sorted_by else key in FIRST_DESCENDING
        query = urlencode(
            {
                "view": "compare",
                "period": period.pk,
                "sort": key,
                "order": "desc" if goes_descending else "asc",
            }
        )
        aria_sort = ("descending" if descending else "ascending") if sorted_by else ""
        return {"query": f"?{query}", "aria_sort": aria_sort}

    stages = cards[0].stages if cards else []
    return {
        "name": column("name"),
        "base": column("base"),
        "shortfall": column("shortfall"),
        "stages": [
            {
                **column(result.stage.value),
                "label": result.stage.label,
                "threshold": result.threshold,
            }
            for result in stages
        ],
    }


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
        sort, descending = comparison_order(request.GET)
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
            selectors.scope_unfinished_outputs(scope, period, limit=SCORECARD_OUTPUTS + 1)
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
                "sort_links": sort_links(
                    period=period, sort=sort, descending=descending, cards=comparison
                ),
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
        return selectors.scorecard_rts_reachable_by(self.request.user)

    def get_scope(self):
        return Scope(kelurahan=self.get_object().rw.kelurahan, rt=self.object)

    def extra_context_data(self):
        return {"kelurahan": self.object.rw.kelurahan}


class ThresholdUpdateView(ServiceFormMixin, LoginRequiredMixin, PermissionRequiredMixin, FormView):
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

    def perform(self, form):
        services.period_thresholds_set(
            period=self.period,
            by=self.request.user,
            thresholds={
                field.removeprefix("threshold_"): value
                for field, value in form.cleaned_data.items()
            },
        )
        messages.success(self.request, _("The thresholds are saved."))
        return redirect("assessment:scorecard-thresholds", pk=self.period.pk)
