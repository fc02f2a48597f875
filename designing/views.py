"""Pages of co-designing. Every object is looked up within the user's reach (out of reach:
404), then the permission is checked (in reach without the right: 403); services do the rest.

Posting a comment and voting work as plain forms (POST, then a redirect back) and, where htmx
runs, as the same forms answered with the changed part of the page only.
"""

import tempfile

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, View
from openpyxl import Workbook

from rtkeren import scopes
from rtkeren.exports import PLANNING_COLUMNS, XLSX_CONTENT_TYPE, sheet_write
from rtkeren.forms.fields import place_choice
from rtkeren.mixins import ScopedObjectMixin, ServiceFormMixin, form_add_service_errors
from rtkeren.models import RT, Activity, ActivityStatus, Community, Kelurahan, Period, Role
from rtkeren.paginate import CountedPageMixin, counted_page
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.ratelimits import rate_limited
from rtkeren.selectors.activities import activities_visible_to
from rtkeren.services.activities import activity_propose, activity_withdraw
from rtkeren.services.budget import (
    activity_shares_set,
    ceiling_positions,
    committed_per_rt,
    draft_ceiling_position,
    pays_from_rt_shares,
    shares_error,
)
from rtkeren.services.periods import period_ceilings_for
from rtkeren.transitions import TransitionForbidden, available_transitions

from . import selectors, services
from .exports import budget_plan_rows
from .fit import fits_refresh_stale
from .forms import (
    BudgetLineFormSet,
    BudgetPlanFilterForm,
    CommentForm,
    HideCommentForm,
    ProposalFilterForm,
    ProposalForm,
    ReviewForm,
    RoundCancelForm,
    RoundChangeForm,
    RoundForm,
    SharesForm,
)
from .links import ORIGIN_PARAMETER
from .models import Comment, VotingRound
from .origins import origins_for
from .rules import proposing_kelurahan_ids, proposing_rt_ids

PAGE_SIZE = 25
BUDGET_PREFIX = "budget"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# Proposals.


class ProposalListView(LoginRequiredMixin, CountedPageMixin, ListView):
    template_name = "designing/proposal_list.html"
    context_object_name = "proposals"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter_form = ProposalFilterForm(self.request.GET or None)
        filters = {}
        if self.filter_form.is_bound:
            self.filter_form.is_valid()
            filters = self.filter_form.cleaned_data
        fits_refresh_stale()
        return selectors.prepared_proposal_list(
            user=self.request.user,
            status=filters.get("status", ""),
            period=filters.get("period"),
            order=filters.get("order") or "newest",
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            can_propose=can(self.request.user, "designing.add_proposal", None),
            **kwargs,
        )


def _places(user) -> list[tuple[str, str]]:
    rts = RT.objects.filter(pk__in=proposing_rt_ids(user)).select_related("rw__kelurahan")
    kelurahan = Kelurahan.objects.filter(pk__in=proposing_kelurahan_ids(user))
    return [place_choice(rt) for rt in rts] + [place_choice(k) for k in kelurahan]


#: Buttons of the proposal form that show it again, a budget row more or less or with the total
#: brought up to date, without saving anything.
BUDGET_ADD = "budget_add"
BUDGET_REMOVE = "budget_remove"
BUDGET_REFRESH = "budget_refresh"


class ProposalFormMixin:
    """The proposal form and its budget lines, shown and checked together, with the lines'
    total against what is left of the RT's ceiling.

    Adding or removing a budget row posts the form back: it comes back as typed, with the row
    added or gone, and nothing saved (with htmx, only the budget part of the page)."""

    template_name = "designing/proposal_form.html"

    def budget_formset(self, initial=None):
        data = self.request.POST if self.request.method == "POST" else None
        return BudgetLineFormSet(data, initial=initial, prefix=BUDGET_PREFIX)

    def get_context_data(self, **kwargs):
        budget_formset = kwargs.setdefault(
            "budget_formset", BudgetLineFormSet(initial=self.budget_rows(), prefix=BUDGET_PREFIX)
        )
        context = super().get_context_data(**kwargs)
        return {**context, **self.budget_summary(context["form"], budget_formset)}

    def budget_initial(self):
        return None

    def budget_rows(self) -> list[dict]:
        """The rows shown first: the saved lines, or one empty row."""
        return self.budget_initial() or [{}]

    def budget_summary(self, form, budget_formset) -> dict:
        total = budget_formset.typed_total()
        funding = _shown(form, "funding_source")
        rt, period = self.ceiling_place(form)
        ceiling = None
        if funding == Activity.Funding.RT_KEREN and rt is not None and period is not None:
            ceiling = draft_ceiling_position(
                rt=rt,
                period=period,
                amount=total,
                is_fisik=_shown(form, "nature") == Activity.Nature.FISIK,
                excluding=self.editing_id(),
            )
        return {
            "budget_total": total,
            "ceiling": ceiling,
            "ceiling_excess": ceiling.excess if ceiling else 0,
            "rt_keren_funded": funding == Activity.Funding.RT_KEREN,
            "max_budget_lines": services.MAX_BUDGET_LINES,
        }

    def ceiling_place(self, form):
        """The RT and the period whose ceiling the proposal counts against, as chosen so far
        (either may be None)."""
        raise NotImplementedError

    def editing_id(self) -> int | None:
        return None

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        budget_formset = self.budget_formset(self.budget_initial())
        if {BUDGET_ADD, BUDGET_REMOVE, BUDGET_REFRESH} & request.POST.keys():
            return self.redraw(form, budget_formset)
        if not (form.is_valid() and budget_formset.is_valid()):
            messages.error(request, _("Please correct the marked fields; nothing was saved."))
            return self.render_to_response(
                self.get_context_data(form=form, budget_formset=budget_formset)
            )
        try:
            activity = self.save(form, form.proposal_data(budget_formset.lines()))
        except ValidationError as error:
            form_add_service_errors(form, error)
            messages.error(request, _("Please correct the marked fields; nothing was saved."))
            return self.render_to_response(
                self.get_context_data(form=form, budget_formset=budget_formset)
            )
        messages.success(request, _("The draft is saved. Submit it when it is ready."))
        return redirect("designing:proposal-detail", pk=activity.pk)

    def redraw(self, form, budget_formset):
        """The form again as typed, unchecked (no errors for what is not finished yet), with a
        budget row added or removed as asked."""
        rows = budget_formset.typed_rows()
        removed = self.request.POST.get(BUDGET_REMOVE, "")
        if removed.isdecimal() and int(removed) < len(rows):
            del rows[int(removed)]
        if BUDGET_ADD in self.request.POST and len(rows) < services.MAX_BUDGET_LINES:
            rows.append({})
        typed = {name: form[name].value() for name in form.fields}
        kwargs = {**self.get_form_kwargs(), "initial": typed}
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        context = self.get_context_data(
            form=self.get_form_class()(**kwargs),
            budget_formset=BudgetLineFormSet(initial=rows or [{}], prefix=BUDGET_PREFIX),
        )
        if is_htmx(self.request):
            return render(self.request, "designing/includes/budget_lines.html", context)
        return self.render_to_response(context)


class ProposalCreateView(LoginRequiredMixin, PermissionRequiredMixin, ProposalFormMixin, FormView):
    form_class = ProposalForm
    permission_required = "designing.add_proposal"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        user = self.request.user
        communities = Community.objects.filter(pk__in=scopes.community_ids(user))
        return {
            **super().get_form_kwargs(),
            "places": _places(user),
            "communities": communities,
            "origins": origins_for(proposing_kelurahan_ids(user)),
        }

    def get_initial(self):
        # Coming from a forum priority or a potential: chosen already; the form offers only the
        # origins still open to the user, and ignores any other key.
        chosen = self.request.GET.get(ORIGIN_PARAMETER, "")
        return {**super().get_initial(), "origins": [chosen]} if chosen else super().get_initial()

    def ceiling_place(self, form):
        place = _chosen(form, "scope")
        return (place if isinstance(place, RT) else None), _chosen(form, "period")

    def save(self, form, data):
        return services.proposal_create(
            by=self.request.user,
            place=form.cleaned_data["scope"],
            period=form.cleaned_data["period"],
            community=form.cleaned_data.get("community"),
            data=data,
        )


def _shown(form, name):
    """The value the form's field ``name`` shows: what was typed or given, else, in a form
    shown for the first time, the first of its choices (a list without an empty choice shows
    that one as chosen)."""
    value = form[name].value()
    if value is None and not form.is_bound:
        choices = list(form.fields[name].choices)
        value = choices[0][0] if choices else None
    return value


def _chosen(form, name):
    """What the form's field ``name`` shows (``_shown``), cleaned (a place, a period), or None
    when nothing valid is chosen: only what the field offers the user counts."""
    try:
        return form.fields[name].clean(_shown(form, name))
    except ValidationError:
        return None


class ProposalObjectMixin(ScopedObjectMixin):
    def get_queryset(self):
        return activities_visible_to(self.request.user).with_places()

    def back(self, fragment: str = ""):
        url = reverse("designing:proposal-detail", args=[self.get_object().pk])
        return HttpResponseRedirect(url + fragment)


class ProposalUpdateView(ProposalObjectMixin, ProposalFormMixin, FormView):
    form_class = ProposalForm
    permission_required = "designing.change_proposal"

    def get_form_kwargs(self):
        activity = self.get_object()
        return {**super().get_form_kwargs(), "origins": origins_for([activity.kelurahan_id])}

    def get_initial(self):
        activity = self.get_object()
        origins = activity.designing_origins.all()
        return {
            **{field: getattr(activity, field) for field in services.PROPOSAL_FIELDS},
            "interests": list(activity.interests.all()),
            "origins": [f"{o.content_type_id}:{o.object_id}" for o in origins],
            "version": services.version_of(activity),
        }

    def budget_initial(self):
        return [
            {
                "item": line.item,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
            }
            for line in self.get_object().budget_lines.all()
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(activity=self.get_object(), **kwargs)

    def ceiling_place(self, form):
        activity = self.get_object()
        return activity.rt, activity.period

    def editing_id(self) -> int | None:
        return self.get_object().pk

    def save(self, form, data):
        return services.proposal_update(
            activity=self.get_object(),
            by=self.request.user,
            version=form.cleaned_data["version"],
            data=data,
        )


class ProposalDetailView(ScopedObjectMixin, DetailView):
    template_name = "designing/proposal_detail.html"
    context_object_name = "activity"
    permission_required = "designing.view_proposal"

    def get_queryset(self):
        fits_refresh_stale()
        return selectors.proposal_detail(self.request.user)

    def get_context_data(self, **kwargs):
        user, activity = self.request.user, self.object
        actions = {
            transition.target: blocked
            for transition, blocked in available_transitions(activity=activity, user=user)
            if transition.target in (ActivityStatus.PROPOSED, ActivityStatus.DRAFT)
        }
        can_review = activity.status == ActivityStatus.PROPOSED and can(
            user, "designing.review_proposal", activity
        )
        return super().get_context_data(
            can_change=can(user, "designing.change_proposal", activity),
            can_submit=ActivityStatus.PROPOSED in actions,
            submit_blocked=actions.get(ActivityStatus.PROPOSED),
            can_withdraw=ActivityStatus.DRAFT in actions,
            withdraw_blocked=actions.get(ActivityStatus.DRAFT),
            can_review=can_review,
            review_form=ReviewForm() if can_review else None,
            ceilings=ceiling_positions(activity) if can_review else [],
            shares_problem=shares_error(activity) if can_review else None,
            shares=(
                list(activity.shares.select_related("rt__rw"))
                if pays_from_rt_shares(activity)
                else []
            ),
            can_share=can_review and can(user, "rtkeren.share_activity", activity),
            rounds=selectors.rounds_holding(activity).rows(),
            **discussion_context(self.request, activity),
            **kwargs,
        )


def discussion_context(request, activity, *, page=None, form=None) -> dict:
    """What the discussion part of a proposal page needs, for the page and for htmx."""
    user = request.user
    # The page of threads and their number in one query.
    threads = counted_page(
        selectors.comment_threads(activity), page or request.GET.get("page"), PAGE_SIZE
    )
    can_comment = can(user, "designing.comment_proposal", activity)
    return {
        "activity": activity,
        "threads": threads,
        "can_comment": can_comment,
        "can_moderate": can(user, "designing.moderate_comment", activity),
        "comment_form": form
        or (CommentForm(initial={"page": threads.number}) if can_comment else None),
    }


class ProposalStatusView(ProposalObjectMixin, View):
    """Submit a draft, or take a submitted proposal back to draft, through the core's services
    (they check the author, the status and frozen content)."""

    http_method_names = ["post"]
    permission_required = "designing.view_proposal"
    SERVICES = {ActivityStatus.PROPOSED: activity_propose, ActivityStatus.DRAFT: activity_withdraw}
    DONE = {
        ActivityStatus.PROPOSED: _("The proposal is submitted. Residents can now discuss it."),
        ActivityStatus.DRAFT: _("The proposal is back to draft; you can edit it again."),
    }

    def post(self, request, *args, **kwargs):
        to_status = kwargs["to_status"]
        if to_status not in self.SERVICES:
            raise Http404
        activity = self.get_object()
        try:
            self.SERVICES[to_status](activity=activity, by=request.user)
        except TransitionForbidden as error:
            raise PermissionDenied(error.messages[0]) from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(self.DONE[to_status]))
        return self.back()


class ProposalReviewView(ProposalObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "designing.review_proposal"

    def post(self, request, *args, **kwargs):
        activity = self.get_object()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(_messages_of(form)))
            return self.back("#review")
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.proposal_review(
                activity=activity,
                by=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
            )
        except TransitionForbidden as error:
            raise PermissionDenied(error.messages[0]) from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The proposal is approved.") if approve else _("The proposal is rejected."),
            )
        return self.back()


class ProposalSharesView(ServiceFormMixin, ProposalObjectMixin, FormView):
    """The officer names the RTs that pay for a kelurahan-wide proposal from their RT Keren
    allocation and how much each, seeing what each RT has left under its ceiling."""

    template_name = "designing/proposal_shares.html"
    form_class = SharesForm
    permission_required = "rtkeren.share_activity"

    def rts(self):
        activity = self.get_object()
        return (
            RT.objects.filter(rw__kelurahan_id=activity.kelurahan_id)
            .select_related("rw__kelurahan")
            .order_by("rw__number", "number")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rts": self.rts()}

    def get_initial(self):
        shares = self.get_object().shares.values_list("rt_id", "amount")
        return {f"rt-{rt_id}": amount for rt_id, amount in shares}

    def get_context_data(self, **kwargs):
        activity = self.get_object()
        form = kwargs.get("form") or self.get_form()
        committed = committed_per_rt(
            rt_ids=[rt.pk for rt in form.rts], period_id=activity.period_id, excluding=activity.pk
        )
        ceilings = period_ceilings_for(activity.period, form.rts)
        rows = [
            {
                "rt": rt,
                "field": field,
                "ceiling": ceilings[rt.pk],
                "committed": sum(committed[rt.pk]),
                "left": ceilings[rt.pk] - sum(committed[rt.pk]),
            }
            for rt, field in form.rows()
        ]
        return super().get_context_data(
            activity=activity,
            budget=activity.budget_total(),
            rows=rows,
            can_change=pays_from_rt_shares(activity)
            and activity.status in (ActivityStatus.DRAFT, ActivityStatus.PROPOSED),
            **kwargs,
        )

    def perform(self, form):
        activity_shares_set(
            activity=self.get_object(), by=self.request.user, amounts=form.amounts()
        )
        messages.success(self.request, _("The RTs' shares are saved."))
        return self.back("#review")


# Discussion.


class CommentCreateView(ProposalObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "designing.comment_proposal"

    def post(self, request, *args, **kwargs):
        activity = self.get_object()
        form = CommentForm(request.POST)
        comment = None
        if form.is_valid():
            parent = None
            if form.cleaned_data["parent"]:
                parent = Comment.objects.filter(
                    activity=activity, pk=form.cleaned_data["parent"]
                ).first()
                if parent is None:
                    form.add_error(None, _("The comment you answer no longer exists."))
            if form.is_valid():
                try:
                    comment = services.comment_post(
                        activity=activity,
                        by=request.user,
                        body=form.cleaned_data["body"],
                        parent=parent,
                    )
                except ValidationError as error:
                    form_add_service_errors(form, error)
        page = form.cleaned_data.get("page") if hasattr(form, "cleaned_data") else None
        if is_htmx(request):
            context = discussion_context(
                request,
                activity,
                page=page if comment is None or comment.parent_id else 1,
                form=None if comment else form,
            )
            context["posted"] = comment
            return render(request, "designing/includes/discussion.html", context)
        if comment is None:
            messages.error(request, " ".join(_messages_of(form)))
            return self.back("#discussion")
        messages.success(request, _("Thank you: your comment is posted."))
        number = selectors.page_of_comment(comment, PAGE_SIZE)
        url = reverse("designing:proposal-detail", args=[activity.pk])
        query = f"?page={number}" if number > 1 else ""
        return HttpResponseRedirect(f"{url}{query}#comment-{comment.pk}")


def _messages_of(form) -> list[str]:
    return [message for errors in form.errors.values() for message in errors]


class CommentObjectMixin(ScopedObjectMixin):
    def get_queryset(self):
        visible = activities_visible_to(self.request.user)
        return Comment.objects.filter(activity__in=visible).select_related("activity")

    def back(self):
        comment = self.get_object()
        number = selectors.page_of_comment(comment, PAGE_SIZE)
        url = reverse("designing:proposal-detail", args=[comment.activity_id])
        query = f"?page={number}" if number > 1 else ""
        return HttpResponseRedirect(f"{url}{query}#comment-{comment.pk}")


class CommentHideView(CommentObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "designing.moderate_comment"

    def post(self, request, *args, **kwargs):
        form = HideCommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(_messages_of(form)))
            return self.back()
        try:
            services.comment_hide(
                comment=self.get_object(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The comment is hidden; its author still sees it."))
        return self.back()


class CommentRestoreView(CommentObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "designing.moderate_comment"

    def post(self, request, *args, **kwargs):
        services.comment_restore(comment=self.get_object(), by=request.user)
        messages.success(request, _("The comment is shown again."))
        return self.back()


# The RT budget plan.


class BudgetPlanListView(LoginRequiredMixin, ListView):
    template_name = "designing/budgetplan_list.html"
    context_object_name = "rts"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.rts_for_budget_plan(self.request.user)

    def get(self, request, *args, **kwargs):
        only = list(self.get_queryset()[:2])
        if len(only) == 1:
            return redirect("designing:budgetplan-detail", rt=only[0].pk)
        return super().get(request, *args, **kwargs)


class BudgetPlanDetailView(ScopedObjectMixin, DetailView):
    """The RT budget plan (RAP) of one RT for one period; printable."""

    template_name = "designing/budgetplan_detail.html"
    context_object_name = "rt"
    permission_required = "designing.view_budget_plan"
    pk_url_kwarg = "rt"

    def get_queryset(self):
        return selectors.rts_for_budget_plan(self.request.user)

    def get_context_data(self, **kwargs):
        form = BudgetPlanFilterForm(self.request.GET or None)
        period = form.cleaned_data.get("period") if form.is_valid() else None
        period = period or Period.objects.current()
        plan = selectors.budget_plan(rt=self.object, period=period) if period else None
        return super().get_context_data(filter_form=form, plan=plan, period=period, **kwargs)


@method_decorator(never_cache, name="dispatch")
class BudgetPlanDownloadView(ScopedObjectMixin, View):
    """The RT budget plan of a period as an Excel sheet in the regional planning system's
    columns (docs/planning-export.md), for those who see the plan; no personal data is in it."""

    permission_required = "designing.view_budget_plan"
    pk_url_kwarg = "rt"

    def get_queryset(self):
        return selectors.rts_for_budget_plan(self.request.user).select_related("rw__kelurahan")

    def get(self, request, *args, **kwargs):
        rt = self.get_object()
        form = BudgetPlanFilterForm(request.GET or None)
        period = form.cleaned_data.get("period") if form.is_valid() else None
        period = period or Period.objects.current()
        if period is None:
            raise Http404
        workbook = Workbook(write_only=True)
        sheet_write(
            workbook,
            title=_("RT budget plan (RAP)"),
            columns=PLANNING_COLUMNS,
            rows=budget_plan_rows(rt=rt, period=period),
        )
        # No context manager: FileResponse closes (and so deletes) it once it is sent.
        file = tempfile.TemporaryFile()  # noqa: SIM115
        workbook.save(file)
        file.seek(0)
        filename = (
            f"rap-{rt.rw.kelurahan.code}-rw{rt.rw.number:03d}-rt{rt.number:03d}-{period.year}.xlsx"
        )
        return FileResponse(
            file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )


# Voting rounds.


def _round_places(user) -> list[tuple[str, str]]:
    kelurahan = Kelurahan.objects.filter(pk__in=scopes.kelurahan_ids(user, Role.OFFICER))
    rts = RT.objects.filter(rw__kelurahan__in=kelurahan).select_related("rw__kelurahan")
    return [place_choice(k) for k in kelurahan] + [place_choice(rt) for rt in rts]


class RoundListView(LoginRequiredMixin, ListView):
    template_name = "designing/round_list.html"
    context_object_name = "rounds"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.round_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_open=can(self.request.user, "designing.list_rounds", None),
            now=timezone.now(),
            **kwargs,
        )


class RoundCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "designing/round_form.html"
    form_class = RoundForm
    permission_required = "designing.list_rounds"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "places": _round_places(user),
            "proposals": selectors.proposals_for_round(user),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            voting_round = services.round_open(
                by=self.request.user,
                place=data["scope"],
                period=data["period"],
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                votes_per_resident=data["votes_per_resident"],
                proposals=list(data["proposals"]),
            )
        except PermissionDenied:
            form.add_error("scope", _("You may not open a round for this area."))
            return self.form_invalid(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "The round is set up and the residents are notified. Its proposals' content "
                "freezes when it opens."
            ),
        )
        return redirect("designing:round-detail", pk=voting_round.pk)


class RoundObjectMixin(ScopedObjectMixin):
    permission_required = "designing.view_round"

    def get_queryset(self):
        return selectors.round_pages(self.request.user)

    def back(self):
        return HttpResponseRedirect(
            reverse("designing:round-detail", args=[self.get_object().pk]) + "#ballot"
        )


def ballot_context(request, voting_round, *, page=None, notice="", error="") -> dict:
    """The round's proposals (a page of them), with the resident's own votes and, for those
    allowed, the counts: live for officers, for everyone once closed."""
    user = request.user
    closed = voting_round.is_closed
    live = can(user, "designing.view_live_results", voting_round)
    show_counts = closed or live
    fits_refresh_stale()
    # The page and the number of proposals in one query.
    proposals = counted_page(
        selectors.round_proposals(voting_round, ranked=show_counts),
        page or request.GET.get("page"),
        PAGE_SIZE,
    )
    resident = None
    refusal = ""
    can_vote = False
    if voting_round.is_open and user.is_authenticated:
        try:
            resident = services.voting_resident(user, voting_round)
            can_vote = True
        except PermissionDenied as reason:
            refusal = str(reason)
    mine = selectors.my_votes(voting_round, resident)
    rank_start = proposals.start_index() if show_counts else None
    return {
        "voting_round": voting_round,
        "proposals": proposals,
        "show_counts": show_counts,
        "rank_start": rank_start,
        "can_vote": can_vote,
        "refusal": refusal,
        "my_votes": mine,
        "votes_left": voting_round.votes_per_resident - len(mine),
        "notice": notice,
        "error": error,
    }


class RoundDetailView(RoundObjectMixin, DetailView):
    template_name = "designing/round_detail.html"
    context_object_name = "voting_round"

    def get_context_data(self, **kwargs):
        voting_round, user = self.object, self.request.user
        return super().get_context_data(
            turnout=selectors.round_turnout(voting_round)
            if voting_round.is_closed or can(user, "designing.view_live_results", voting_round)
            else None,
            can_announce=can(user, "designing.announce_results", voting_round)
            and voting_round.results_announced_at is None,
            can_change=voting_round.state() == VotingRound.State.SCHEDULED
            and can(user, "designing.change_round", voting_round),
            can_cancel=voting_round.state() in (VotingRound.State.SCHEDULED, VotingRound.State.OPEN)
            and can(user, "designing.change_round", voting_round),
            cancel_form=RoundCancelForm(),
            **ballot_context(self.request, voting_round),
            **kwargs,
        )


@method_decorator(rate_limited("vote"), name="post")
class VoteView(RoundObjectMixin, View):
    """Cast (``take_back`` False) or take back a vote; answers htmx with the ballot only."""

    http_method_names = ["post"]
    take_back = False

    def post(self, request, *args, **kwargs):
        voting_round = self.get_object()
        activity = voting_round.proposals.filter(pk=kwargs["activity"]).first()
        if activity is None:
            raise Http404
        notice = error = ""
        try:
            if self.take_back:
                services.vote_withdraw(
                    voting_round=voting_round, activity=activity, by=request.user
                )
                notice = _("Your vote for “%(title)s” is taken back.") % {"title": activity}
            else:
                services.vote_cast(voting_round=voting_round, activity=activity, by=request.user)
                notice = _("Your vote for “%(title)s” is counted.") % {"title": activity}
        except PermissionDenied as refusal:
            if not is_htmx(request):
                raise
            error = str(refusal)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        if is_htmx(request):
            context = ballot_context(
                request, voting_round, page=request.POST.get("page"), notice=notice, error=error
            )
            return render(request, "designing/includes/ballot.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        page = request.POST.get("page", "")
        url = reverse("designing:round-detail", args=[voting_round.pk])
        query = f"?page={page}" if page.isdecimal() and page != "1" else ""
        return HttpResponseRedirect(f"{url}{query}#ballot")


class RoundUpdateView(ServiceFormMixin, RoundObjectMixin, FormView):
    """Change a round before it opens (the officer who opened it)."""

    template_name = "designing/round_change.html"
    form_class = RoundChangeForm
    permission_required = "designing.change_round"

    def get_initial(self):
        voting_round = self.get_object()
        return {
            "title": voting_round.title,
            "opens_at": timezone.localtime(voting_round.opens_at),
            "closes_at": timezone.localtime(voting_round.closes_at),
            "votes_per_resident": voting_round.votes_per_resident,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(voting_round=self.get_object(), **kwargs)

    def perform(self, form):
        services.round_update(
            voting_round=self.get_object(), by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("The round is changed and the residents are notified."))
        return self.back()


class RoundCancelView(RoundObjectMixin, View):
    """Cancel a round before it closes (the officer who opened it), with a public reason."""

    http_method_names = ["post"]
    permission_required = "designing.change_round"

    def post(self, request, *args, **kwargs):
        form = RoundCancelForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Please give a reason; it is shown to the residents."))
            services.round_cancel(
                voting_round=self.get_object(), by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The round is cancelled and the residents are notified."))
        return self.back()


class RoundAnnounceView(RoundObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "designing.announce_results"

    def post(self, request, *args, **kwargs):
        try:
            services.round_announce_results(voting_round=self.get_object(), by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The results are announced to the residents."))
        return self.back()
