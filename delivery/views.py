"""Pages of co-delivery. Every object is looked up within the user's reach (out of reach: 404),
then the permission is checked (in reach without the right: 403); services do the rest."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from rtkeren import scopes
from rtkeren.calendars import event_download
from rtkeren.mixins import (
    AttendancePageMixin,
    ScopedObjectMixin,
    ServiceFormMixin,
    form_add_service_errors,
)
from rtkeren.models import ActivityStatus, Kelurahan, Period, Role
from rtkeren.offline import OfflineSubmissionView, id_list, offline_page
from rtkeren.paginate import CountedPageMixin, counted_page
from rtkeren.permissions import can
from rtkeren.protected_files import ProtectedFileView
from rtkeren.ratelimits import rate_limited, upload_rate_limited
from rtkeren.selectors.activities import home_kelurahan_ids
from rtkeren.selectors.reports import chosen_period, rts_for_reports
from rtkeren.services.activities import activity_mark_delivered, activity_start_delivery
from rtkeren.transitions import TransitionError, available_transitions

from . import selectors, services
from .calendars import meeting_event
from .forms import (
    CommitteeNoteForm,
    ImplementerForm,
    MeetingForm,
    OutputForm,
    OutputProgressForm,
    PhotoForm,
    SpendingForm,
    TaskForm,
)
from .models import (
    Implementer,
    Meeting,
    Output,
    Spending,
    Task,
    completion_rate,
    outputs_completion,
)

PAGE_SIZE = 25
PRINT_BLANK_ROWS = 10
DELIVERY_TRANSITIONS = {
    ActivityStatus.IN_DELIVERY: activity_start_delivery,
    ActivityStatus.DELIVERED: activity_mark_delivered,
}


class ActivityMixin(ScopedObjectMixin):
    def get_queryset(self):
        return selectors.activity_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(activity=self.get_object(), **kwargs)

    def back(self, name: str = "delivery:activity-detail"):
        return HttpResponseRedirect(reverse(name, args=[self.get_object().pk]))


class MeetingMixin(ScopedObjectMixin):
    def get_queryset(self):
        return selectors.meeting_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        meeting = self.get_object()
        return super().get_context_data(meeting=meeting, activity=meeting.activity, **kwargs)

    def back(self):
        return HttpResponseRedirect(reverse("delivery:meeting-detail", args=[self.get_object().pk]))


class PartMixin(ScopedObjectMixin):
    """An implementer, output or task, reached through the activities the user may see."""

    model = None

    def get_queryset(self):
        activities = selectors.delivery_activities_visible_to(self.request.user)
        return self.model.objects.filter(activity__in=activities.values("pk")).select_related(
            "activity__rt__rw", "activity__kelurahan"
        )

    def back(self, name: str = "delivery:activity-detail"):
        return HttpResponseRedirect(reverse(name, args=[self.get_object().activity_id]))


# Activities.


class ActivityListView(LoginRequiredMixin, CountedPageMixin, ListView):
    template_name = "delivery/activity_list.html"
    context_object_name = "activities"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.status = self.request.GET.get("status", "")
        return selectors.activity_list(user=self.request.user, status=self.status)

    def paginate_queryset(self, queryset, page_size):
        paginated = super().paginate_queryset(queryset, page_size)
        for activity in paginated[2]:
            activity.completion = completion_rate(activity.finished_output, activity.planned_output)
        return paginated

    def get_context_data(self, **kwargs):
        period = Period.objects.current()
        kelurahan = scopes.kelurahan_ids(
            self.request.user, Role.OFFICER, Role.FACILITATOR
        ) or home_kelurahan_ids(self.request.user)
        completions = []
        if period is not None and len(kelurahan) == 1:
            place = Kelurahan.objects.get(pk=next(iter(kelurahan)))
            completions.append(
                (place, selectors.kelurahan_completion(kelurahan=place, period=period))
            )
        return super().get_context_data(
            status=self.status,
            statuses=[
                (value, label)
                for value, label in ActivityStatus.choices
                if value in ("approved", "in_delivery", "delivered")
            ],
            completions=completions,
            period=period,
            **kwargs,
        )


class ActivityDetailView(ActivityMixin, DetailView):
    template_name = "delivery/activity_detail.html"
    context_object_name = "activity"
    permission_required = "delivery.view_activity"

    def get_queryset(self):
        return selectors.activity_pages(self.request.user)

    def get_context_data(self, **kwargs):
        user, activity = self.request.user, self.object
        can_view_records = can(user, "delivery.view_records", activity)
        outputs = selectors.outputs_of(activity).rows()
        summary = outputs_completion(outputs)
        budget = activity.budget
        return super().get_context_data(
            # The page of meetings with their number, in one query rather than two.
            page_obj=counted_page(
                selectors.meetings_of(activity), self.request.GET.get("page"), PAGE_SIZE
            ),
            implementers=selectors.implementers_of(activity, public=not can_view_records).rows(),
            outputs=outputs,
            completion=summary["rate"],
            planned=summary["planned"],
            finished=summary["finished"],
            budget=budget,
            remaining=budget - activity.spent,
            can_view_records=can_view_records,
            can_manage=can(user, "delivery.manage_activity", activity),
            can_plan=can(user, "delivery.plan_meetings", activity),
            transitions=[
                (transition, blocked)
                for transition, blocked in available_transitions(activity=activity, user=user)
                if transition.target in DELIVERY_TRANSITIONS
            ],
            **kwargs,
        )


class ActivityTransitionView(ActivityMixin, View):
    """Start delivery or mark it delivered; the core's service decides whether it may happen."""

    http_method_names = ["post"]
    permission_required = "delivery.manage_activity"

    def post(self, request, *args, **kwargs):
        service = DELIVERY_TRANSITIONS.get(kwargs["to"])
        if service is None:
            raise Http404
        try:
            service(activity=self.get_object(), by=request.user)
        except TransitionError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The activity is now: %(status)s.")
                % {"status": ActivityStatus(kwargs["to"]).label},
            )
        return self.back()


# Meetings.


def _meeting_details(data) -> services.MeetingDetails:
    return services.MeetingDetails(
        title=data["title"],
        date=data["date"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        facilitator=data["facilitator"],
    )


class MeetingCreateView(ServiceFormMixin, ActivityMixin, FormView):
    template_name = "delivery/meeting_form.html"
    form_class = MeetingForm
    permission_required = "delivery.plan_meetings"

    def perform(self, form):
        meeting = services.meeting_plan(
            activity=self.get_object(),
            by=self.request.user,
            details=_meeting_details(form.cleaned_data),
        )
        messages.success(self.request, _("The meeting is planned and the people concerned told."))
        return HttpResponseRedirect(reverse("delivery:meeting-detail", args=[meeting.pk]))


class MeetingUpdateView(ServiceFormMixin, MeetingMixin, FormView):
    template_name = "delivery/meeting_form.html"
    form_class = MeetingForm
    permission_required = "delivery.plan_meetings"

    def get_initial(self):
        meeting = self.get_object()
        return {
            field: getattr(meeting, field)
            for field in ("title", "date", "starts_at", "ends_at", "place", "facilitator")
        }

    def perform(self, form):
        services.meeting_update(
            meeting=self.get_object(),
            by=self.request.user,
            details=_meeting_details(form.cleaned_data),
        )
        messages.success(self.request, _("The meeting is saved."))
        return self.back()


@method_decorator(offline_page, name="dispatch")
class MeetingDetailView(MeetingMixin, DetailView):
    template_name = "delivery/meeting_detail.html"
    context_object_name = "meeting"
    permission_required = "delivery.view_activity"

    def get_context_data(self, **kwargs):
        user, meeting = self.request.user, self.object
        can_view_records = can(user, "delivery.view_records", meeting)
        can_manage = can(user, "delivery.manage_activity", meeting)
        shows_photos = can_view_records or meeting.photos_public
        # A resident at the meeting during its check-in window puts themselves on the list
        # here, as with the QR code; the service checks who they are and where they live.
        checkin_open = meeting.is_checkin_open()
        resident = (
            _self_checkin_resident(meeting, user) if checkin_open and not can_manage else None
        )
        return super().get_context_data(
            checkin_open=checkin_open,
            self_checkin_path=_checkin_path(meeting) if resident else "",
            own_attendance=selectors.own_attendance(meeting, user) if resident else None,
            attendances=list(selectors.attendance_of(meeting, public=not can_view_records)),
            photos=list(meeting.photos.all()) if shows_photos else [],
            photos_withheld=not shows_photos and meeting.photos.exists(),
            can_view_records=can_view_records,
            can_manage=can_manage,
            can_plan=can(user, "delivery.plan_meetings", meeting),
            checkin_url=self.request.build_absolute_uri(_checkin_path(meeting))
            if can_manage
            else "",
            photo_form=PhotoForm(),
            **kwargs,
        )


class MeetingCalendarView(MeetingMixin, View):
    """The meeting as a file for the calendar of a phone, for whoever may see its page."""

    permission_required = "delivery.view_activity"
    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        meeting = self.get_object()
        return event_download(meeting_event(meeting), filename=f"pertemuan-{meeting.pk}")


class MeetingPhotoFileView(ProtectedFileView):
    permission_required = "delivery.view_photo"
    file_field = "image"

    def get_queryset(self):
        return selectors.meeting_photos_visible_to(self.request.user)


class SpendingReceiptView(ProtectedFileView):
    permission_required = "delivery.view_receipt"
    file_field = "receipt"

    def get_queryset(self):
        return selectors.spendings_visible_to(self.request.user)


def _self_checkin_resident(meeting: Meeting, user):
    """The resident the service would check in: the button is offered to them alone, not to a
    resident of another RT who reads the meeting's page."""
    try:
        return services.checkin_resident(meeting=meeting, user=user)
    except ValidationError:
        return None


def _checkin_path(meeting: Meeting) -> str:
    return reverse("delivery:meeting-checkin", args=[meeting.pk, services.checkin_token(meeting)])


class MeetingQrView(MeetingMixin, View):
    """The meeting's check-in QR code, as SVG, to show on a screen or print."""

    permission_required = "delivery.manage_activity"

    def get(self, request, *args, **kwargs):
        url = request.build_absolute_uri(_checkin_path(self.get_object()))
        svg = io.BytesIO()
        # A file of its own, unlike SVG inline in HTML, needs the namespace to be drawn at all.
        segno.make(url, error="m").save(
            svg, kind="svg", xmldecl=False, scale=6, border=2, title=_("Check-in code")
        )
        return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@method_decorator(rate_limited("checkin"), name="post")
class MeetingCheckinView(LoginRequiredMixin, View):
    """Self check-in from the QR code. The meeting is found by its id, not within the user's
    reach: the signed token is the proof of having been shown the code, and the service
    refuses anyone who is not an adult, verified resident of the activity's place."""

    template_name = "delivery/meeting_checkin.html"

    def _meeting(self, pk):
        meeting = (
            Meeting.objects.select_related("activity__rt__rw", "activity__kelurahan")
            .filter(pk=pk)
            .first()
        )
        if meeting is None:
            raise Http404
        return meeting

    def _page(self, meeting, *, problem=None, attendance=None, status=200):
        context = {"meeting": meeting, "problem": problem, "attendance": attendance}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk, token):
        meeting = self._meeting(pk)
        problem = services.checkin_problem(meeting=meeting, token=token)
        if problem is not None:
            return self._page(meeting, problem=problem.messages[0], status=400)
        return self._page(meeting, attendance=selectors.own_attendance(meeting, request.user))

    def post(self, request, pk, token):
        meeting = self._meeting(pk)
        try:
            attendance, created = services.attendance_check_in(
                meeting=meeting, user=request.user, token=token
            )
        except ValidationError as error:
            status = 403 if error.code in services.CHECKIN_REFUSALS else 400
            return self._page(meeting, problem=error.messages[0], status=status)
        if created:
            messages.success(request, _("Thank you: you are on the attendance list."))
        else:
            messages.info(request, _("You were already on the attendance list."))
        return HttpResponseRedirect(request.path)


@method_decorator(offline_page, name="dispatch")
class MeetingAttendanceView(AttendancePageMixin, MeetingMixin, FormView):
    """The committee's attendance list on a phone: the scope's residents a page at a time, a
    checkbox each. Saving keeps the page."""

    template_name = "delivery/meeting_attendance.html"
    permission_required = "delivery.manage_activity"

    def attendance_residents(self, filters: dict):
        return selectors.residents_for_attendance(self.get_object(), name=filters.get("q", ""))

    def record(self, form) -> str:
        change = services.attendance_mark(
            meeting=self.get_object(),
            by=self.request.user,
            present=form.present(),
            absent=form.absent(),
        )
        return _("Attendance saved: %(added)s added, %(removed)s removed.") % {
            "added": change.added,
            "removed": change.removed,
        }


class MeetingAttendanceSubmitView(OfflineSubmissionView):
    """The attendance list a phone kept without a signal, sent as JSON (``present`` and
    ``absent``: lists of resident ids), applied once per key through the same service."""

    kind = "meeting_attendance"
    permission = "delivery.manage_activity"

    def get_subject(self):
        return get_object_or_404(
            selectors.meeting_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def clean(self, data: dict, subject):
        return {
            "present": id_list(data.get("present"), name="present"),
            "absent": id_list(data.get("absent", []), name="absent"),
        }

    def apply(self, subject, cleaned) -> str:
        change = services.attendance_mark(meeting=subject, by=self.request.user, **cleaned)
        return _("Attendance saved: %(added)s added, %(removed)s removed.") % {
            "added": change.added,
            "removed": change.removed,
        }


class MeetingPrintView(MeetingMixin, DetailView):
    """The attendance list to sign, with blank rows for anyone not yet recorded."""

    template_name = "delivery/meeting_print.html"
    permission_required = "delivery.view_records"
    context_object_name = "meeting"

    def get_context_data(self, **kwargs):
        attendances = list(selectors.attendance_of(self.object, public=False))
        count = len(attendances)
        return super().get_context_data(
            attendances=attendances,
            blank_rows=range(count + 1, count + PRINT_BLANK_ROWS + 1),
            **kwargs,
        )


@method_decorator(upload_rate_limited, name="post")
class MeetingPhotoCreateView(MeetingMixin, View):
    http_method_names = ["post"]
    permission_required = "delivery.manage_activity"

    def post(self, request, *args, **kwargs):
        form = PhotoForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return self.back()
        try:
            services.meeting_photo_add(
                meeting=self.get_object(),
                by=request.user,
                image=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The photo is added."))
        return self.back()


# Implementers.


class ImplementerListView(ServiceFormMixin, ActivityMixin, FormView):
    template_name = "delivery/implementer_list.html"
    form_class = ImplementerForm
    permission_required = "delivery.manage_activity"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "residents": selectors.scope_residents(self.get_object()).order_by("name", "pk"),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            implementers=selectors.implementers_of(self.get_object(), public=False).rows(),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        services.implementer_add(
            activity=self.get_object(),
            by=self.request.user,
            resident=data["resident"],
            role=data["role"],
            note=data["note"],
        )
        messages.success(self.request, _("The implementer is added."))
        return self.back("delivery:implementer-list")


class ImplementerDeleteView(PartMixin, View):
    http_method_names = ["post"]
    model = Implementer
    permission_required = "delivery.manage_activity"

    def post(self, request, *args, **kwargs):
        services.implementer_remove(implementer=self.get_object(), by=request.user)
        messages.success(request, _("The implementer is removed."))
        return self.back("delivery:implementer-list")


# Training outputs.


class OutputCreateView(ServiceFormMixin, ActivityMixin, FormView):
    template_name = "delivery/output_form.html"
    form_class = OutputForm
    permission_required = "delivery.manage_activity"

    def perform(self, form):
        services.output_plan(activity=self.get_object(), by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The product is added to the plan."))
        return self.back()


class OutputUpdateView(ServiceFormMixin, PartMixin, FormView):
    template_name = "delivery/output_form.html"
    form_class = OutputProgressForm
    model = Output
    permission_required = "delivery.manage_activity"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "output": self.get_object()}

    def get_initial(self):
        output = self.get_object()
        return {
            "finished_quantity": output.finished_quantity,
            "status": output.status,
            "obstacle": output.obstacle,
            "obstacle_note": output.obstacle_note,
        }

    def get_context_data(self, **kwargs):
        output = self.get_object()
        return super().get_context_data(output=output, activity=output.activity, **kwargs)

    def perform(self, form):
        services.output_progress(
            output=self.get_object(), by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("The progress is saved."))
        return self.back()


# The committee.


class CommitteeView(ActivityMixin, DetailView):
    """The committee's log of notes and decisions, and its tasks."""

    template_name = "delivery/committee.html"
    context_object_name = "activity"
    permission_required = "delivery.view_records"

    def _forms(self, data=None):
        activity = self.get_object()
        note_form = CommitteeNoteForm(data if data and data.get("form") == "note" else None)
        task_form = TaskForm(
            data if data and data.get("form") == "task" else None,
            assignees=selectors.task_assignees(activity),
        )
        return note_form, task_form

    def get_context_data(self, **kwargs):
        activity = self.get_object()
        note_form, task_form = kwargs.pop("forms", None) or self._forms()
        notes = Paginator(selectors.notes_of(activity), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            notes_page=notes,
            page_obj=notes,
            tasks=list(selectors.tasks_of(activity)),
            note_form=note_form,
            task_form=task_form,
            can_manage=can(self.request.user, "delivery.manage_activity", activity),
            today=timezone.localdate(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.object = activity = self.get_object()
        if not can(request.user, "delivery.manage_activity", activity):
            raise PermissionDenied
        note_form, task_form = self._forms(request.POST)
        form = note_form if request.POST.get("form") == "note" else task_form
        if form.is_valid():
            try:
                if form is note_form:
                    services.committee_note_add(
                        activity=activity, by=request.user, **form.cleaned_data
                    )
                else:
                    services.task_assign(activity=activity, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return self.back("delivery:committee")
        return self.render_to_response(self.get_context_data(forms=(note_form, task_form)))


class TaskListView(LoginRequiredMixin, ListView):
    """The user's own open committee tasks, across activities, the soonest due first."""

    template_name = "delivery/task_list.html"
    context_object_name = "tasks"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return (
            selectors.open_tasks_of(self.request.user)
            .select_related("activity")
            .order_by("due_on", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(today=timezone.localdate(), **kwargs)


class TaskDoneView(PartMixin, View):
    http_method_names = ["post"]
    model = Task
    permission_required = "delivery.complete_task"

    def post(self, request, *args, **kwargs):
        done = request.POST.get("done", "1") == "1"
        task = self.get_object()
        services.task_complete(task=task, by=request.user, done=done)
        messages.success(request, _("The task is updated."))
        # An implementer given a task may mark it done without reading the committee's records.
        if can(request.user, "delivery.view_records", task.activity):
            return self.back("delivery:committee")
        return HttpResponseRedirect(reverse("delivery:task-list"))


# Spending.


@method_decorator(upload_rate_limited, name="post")
class SpendingView(ServiceFormMixin, ActivityMixin, FormView):
    template_name = "delivery/spending_list.html"
    form_class = SpendingForm
    permission_required = "delivery.view_records"

    def get_context_data(self, **kwargs):
        activity = self.get_object()
        budget = activity.budget_total()
        page = Paginator(selectors.spendings_of(activity), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            page_obj=page,
            budget=budget,
            spent=activity.spent,
            remaining=budget - activity.spent,
            can_manage=can(self.request.user, "delivery.manage_activity", activity),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not can(request.user, "delivery.manage_activity", self.get_object()):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        services.spending_record(
            activity=self.get_object(), by=self.request.user, **form.cleaned_data
        )
        messages.success(self.request, _("The spending line is recorded."))
        return self.back("delivery:spending-list")


class RtSpendingView(ScopedObjectMixin, DetailView):
    """Every spending line of an RT's activities in a period, for its Pokmas and the kelurahan."""

    template_name = "delivery/rt_spending.html"
    context_object_name = "rt"
    permission_required = "delivery.view_rt_spending"

    def get_queryset(self):
        return rts_for_reports(self.request.user)

    def get_context_data(self, **kwargs):
        period, periods = chosen_period(self.request)
        lines = (
            selectors.rt_spending(rt=self.object, period=period)
            if period
            else Spending.objects.none()
        )
        page = Paginator(lines, PAGE_SIZE).get_page(self.request.GET.get("page"))
        total = lines.aggregate(total=Coalesce(Sum("amount"), 0))["total"]
        return super().get_context_data(
            period=period, periods=periods, page_obj=page, total=total, **kwargs
        )
