"""Pages of co-commissioning. Every object is looked up within the user's reach (out of reach:
404), then the permission is checked (in reach without the right: 403); services do the rest."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from rtkeren.calendars import event_download
from rtkeren.mixins import (
    AttendancePageMixin,
    ScopedObjectMixin,
    ServiceFormMixin,
)
from rtkeren.models import RT
from rtkeren.offline import OfflineSubmissionView, id_list, offline_page
from rtkeren.paginate import CountedPageMixin
from rtkeren.permissions import PermissionRequiredMixin, can
from rtkeren.protected_files import ProtectedFileView
from rtkeren.ratelimits import upload_rate_limited

from . import selectors, services
from .calendars import forum_event
from .forms import (
    AttendanceFilterForm,
    AttendanceForm,
    CancelForm,
    ForumForm,
    GuestForm,
    GuestFormSet,
    GuestRemoveForm,
    MergeForm,
    MinutesForm,
    PotentialFilterForm,
    PotentialForm,
    PotentialUpdateForm,
    PriorityFormSet,
)
from .models import Element

PAGE_SIZE = 25
PRINT_BLANK_ROWS = 10
PRINT_MAX_BLANK_ROWS = 60


# The kelurahan overview.


class KelurahanListView(LoginRequiredMixin, ListView):
    template_name = "commissioning/kelurahan_list.html"
    context_object_name = "kelurahan_list"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.kelurahan_visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        only = list(self.get_queryset()[:2])
        if len(only) == 1:
            return redirect("commissioning:kelurahan-detail", pk=only[0].pk)
        return super().get(request, *args, **kwargs)


class KelurahanDetailView(ScopedObjectMixin, DetailView):
    """Potentials, coming forums, the latest priorities and how inclusive the forums were."""

    template_name = "commissioning/kelurahan_detail.html"
    context_object_name = "kelurahan"
    permission_required = "commissioning.view_kelurahan"

    def get_queryset(self):
        return selectors.kelurahan_visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        user, kelurahan = self.request.user, self.object
        held = Paginator(selectors.held_forums_of(kelurahan, user=user), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        selectors.attach_inclusiveness(list(held.object_list))
        return super().get_context_data(
            upcoming=list(
                selectors.forum_list(user=user, kelurahan=kelurahan, when="upcoming")[:5]
            ),
            held_page=held,
            never_present=selectors.elements_never_present(kelurahan),
            top_potentials=selectors.top_potentials(kelurahan=kelurahan, user=user),
            priorities=list(selectors.priorities_for(kelurahan)[:10]),
            can_record=can(user, "commissioning.add_potential", kelurahan),
            can_schedule=can(user, "commissioning.add_forum", None),
            **kwargs,
        )


# Potentials.


class PotentialListView(LoginRequiredMixin, CountedPageMixin, ListView):
    template_name = "commissioning/potential_list.html"
    context_object_name = "potentials"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        user = self.request.user
        readable = selectors.readable_kelurahan_ids(user)
        choose_kelurahan = readable is None or len(readable) > 1
        # The kelurahan whose RTs the filter offers, by id: who reads one kelurahan alone is
        # not asked which (nor is it read, nor a queryset of kelurahan built: its id is enough).
        kelurahan = selectors.kelurahan_visible_to(user) if choose_kelurahan else None
        chosen = next(iter(readable)) if readable is not None and len(readable) == 1 else None
        chosen_id = self.request.GET.get("kelurahan", "")
        if kelurahan is not None and chosen_id.isdecimal():
            chosen = kelurahan.filter(pk=chosen_id).values_list("pk", flat=True).first()
        rts = (
            RT.objects.filter(rw__kelurahan=chosen).select_related("rw__kelurahan")
            if chosen
            else RT.objects.none()
        )
        self.filter_form = PotentialFilterForm(
            self.request.GET or None,
            kelurahan=kelurahan,
            rts=rts,
        )
        filters = {}
        if self.filter_form.is_bound:
            # Valid filters apply even when another one is wrong; the form shows that one's error.
            self.filter_form.is_valid()
            filters = self.filter_form.cleaned_data
        return selectors.prepared_potential_list(
            user=user,
            kelurahan=filters.get("kelurahan") or chosen,
            rt=filters.get("rt"),
            category=filters.get("category", ""),
            min_endorsements=filters.get("endorsements"),
            order=filters.get("order") or "newest",
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            can_record=can(self.request.user, "commissioning.add_potential", None),
            **kwargs,
        )


@method_decorator(upload_rate_limited, name="post")
class PotentialCreateView(ServiceFormMixin, LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "commissioning/potential_form.html"
    form_class = PotentialForm
    permission_required = "commissioning.add_potential"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        kelurahan, rts = selectors.recording_places(self.request.user)
        return {
            **super().get_form_kwargs(),
            "kelurahan": kelurahan,
            "rts": rts,
            "initial_rt": selectors.home_rt_id(self.request.user),
        }

    def perform(self, form):
        data = form.cleaned_data
        potential = services.potential_record(
            by=self.request.user,
            place=data["place"],
            title=data["title"],
            category=data["category"],
            description=data["description"],
            interests=data["interests"],
            photo=data["photo"],
        )
        messages.success(self.request, _("Thank you: the potential is recorded."))
        return redirect("commissioning:potential-detail", pk=potential.pk)


class PotentialDetailView(ScopedObjectMixin, DetailView):
    template_name = "commissioning/potential_detail.html"
    context_object_name = "potential"
    permission_required = "commissioning.view_potential"

    def get_queryset(self):
        return selectors.potential_detail(self.request.user)

    def get_context_data(self, **kwargs):
        user, potential = self.request.user, self.object
        return super().get_context_data(
            can_endorse=can(user, "commissioning.endorse_potential", potential),
            can_change=can(user, "commissioning.change_potential", potential),
            can_merge=can(user, "commissioning.merge_potential", potential),
            can_archive=can(user, "commissioning.archive_potential", potential),
            **kwargs,
        )


class PotentialPhotoView(ProtectedFileView):
    """The photo, to whoever may see the potential's page."""

    permission_required = "commissioning.view_potential"
    file_field = "photo"

    def get_queryset(self):
        return selectors.potentials_visible_to(self.request.user).with_places()


class PotentialObjectMixin(ScopedObjectMixin):
    def get_queryset(self):
        return selectors.potentials_visible_to(self.request.user).with_places()

    def back(self):
        return HttpResponseRedirect(
            reverse("commissioning:potential-detail", args=[self.get_object().pk])
        )


@method_decorator(upload_rate_limited, name="post")
class PotentialUpdateView(ServiceFormMixin, PotentialObjectMixin, FormView):
    template_name = "commissioning/potential_form.html"
    form_class = PotentialUpdateForm
    permission_required = "commissioning.change_potential"

    def get_initial(self):
        potential = self.get_object()
        return {
            "title": potential.title,
            "category": potential.category,
            "description": potential.description,
            "interests": list(potential.interests.all()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(potential=self.get_object(), **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.potential_update(
            potential=self.get_object(),
            by=self.request.user,
            title=data["title"],
            category=data["category"],
            description=data["description"],
            interests=data["interests"],
            photo=data["photo"],
            remove_photo=data["remove_photo"],
        )
        messages.success(self.request, _("The potential is saved."))
        return self.back()


class PotentialEndorseView(PotentialObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "commissioning.endorse_potential"

    def post(self, request, *args, **kwargs):
        potential = self.get_object()
        try:
            services.potential_endorse(potential=potential, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: you endorse this potential."))
        return self.back()


class PotentialUnendorseView(PotentialObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "commissioning.endorse_potential"

    def post(self, request, *args, **kwargs):
        if services.potential_unendorse(potential=self.get_object(), by=request.user):
            messages.success(request, _("Your endorsement is withdrawn."))
        return self.back()


class PotentialMergeView(ServiceFormMixin, PotentialObjectMixin, FormView):
    template_name = "commissioning/potential_merge.html"
    form_class = MergeForm
    permission_required = "commissioning.merge_potential"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "targets": selectors.merge_targets(self.get_object()),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(potential=self.get_object(), **kwargs)

    def perform(self, form):
        into = form.cleaned_data["into"]
        result = services.potential_merge(
            duplicate=self.get_object(), into=into, by=self.request.user
        )
        messages.success(
            self.request,
            _("Merged. %(moved)s endorsements moved; %(kept)s were already on this potential.")
            % {"moved": result.moved + result.author_added, "kept": result.already_there},
        )
        return redirect("commissioning:potential-detail", pk=into.pk)


class PotentialArchiveView(PotentialObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "commissioning.archive_potential"

    def post(self, request, *args, **kwargs):
        services.potential_archive(potential=self.get_object(), by=request.user)
        messages.success(request, _("The potential is archived."))
        return self.back()


# Forums.


class ForumListView(LoginRequiredMixin, CountedPageMixin, ListView):
    template_name = "commissioning/forum_list.html"
    context_object_name = "forums"
    paginate_by = PAGE_SIZE
    WHEN = {"upcoming", "past"}

    def get_queryset(self):
        self.when = self.request.GET.get("when", "")
        if self.when not in self.WHEN:
            self.when = ""
        return selectors.prepared_forum_list(user=self.request.user, when=self.when)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            when=self.when,
            can_schedule=can(self.request.user, "commissioning.add_forum", None),
            **kwargs,
        )


def _forum_details(form) -> dict:
    """What the forum form says of the forum, as the schedule and update services take it."""
    data = form.cleaned_data
    return {
        "title": data["title"],
        "date": data["date"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "place_name": data["place"],
        "agenda": data["agenda"],
        "invited": data["invited"],
    }


class ForumCreateView(ServiceFormMixin, LoginRequiredMixin, PermissionRequiredMixin, FormView):
    template_name = "commissioning/forum_form.html"
    form_class = ForumForm
    permission_required = "commissioning.add_forum"

    def get_permission_object(self):
        return None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "places": selectors.scheduling_places(self.request.user),
        }

    def get_initial(self):
        return {"invited": Element.values}

    def perform(self, form):
        forum = services.forum_schedule(
            by=self.request.user, place=form.cleaned_data["scope"], **_forum_details(form)
        )
        messages.success(
            self.request, _("The forum is scheduled and the residents have been notified.")
        )
        return redirect("commissioning:forum-detail", pk=forum.pk)


class ForumObjectMixin(ScopedObjectMixin):
    def get_queryset(self):
        return selectors.forums_visible_to(self.request.user).with_places()

    def back(self):
        return HttpResponseRedirect(
            reverse("commissioning:forum-detail", args=[self.get_object().pk])
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(forum=self.get_object(), **kwargs)


@method_decorator(offline_page, name="dispatch")
class ForumDetailView(ScopedObjectMixin, DetailView):
    template_name = "commissioning/forum_detail.html"
    context_object_name = "forum"
    permission_required = "commissioning.view_forum"

    def get_queryset(self):
        return selectors.forum_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        user, forum = self.request.user, self.object
        selectors.attach_inclusiveness([forum])
        return super().get_context_data(
            can_change=can(user, "commissioning.change_forum", forum),
            can_cancel=can(user, "commissioning.cancel_forum", forum),
            can_record_attendance=can(user, "commissioning.record_attendance", forum),
            can_record_minutes=can(user, "commissioning.record_minutes", forum),
            can_view_attendance=can(user, "commissioning.view_forum_attendance", forum),
            cancel_form=CancelForm(),
            **kwargs,
        )


class ForumCalendarView(ScopedObjectMixin, View):
    """The forum as a file for the calendar of a phone, for whoever may see its page."""

    permission_required = "commissioning.view_forum"
    http_method_names = ["get", "head"]

    def get_queryset(self):
        return selectors.forums_visible_to(self.request.user)

    def get(self, request, *args, **kwargs):
        forum = self.get_object()
        return event_download(forum_event(forum), filename=f"musyawarah-{forum.pk}")


class ForumUpdateView(ServiceFormMixin, ForumObjectMixin, FormView):
    template_name = "commissioning/forum_form.html"
    form_class = ForumForm
    permission_required = "commissioning.change_forum"

    def get_initial(self):
        forum = self.get_object()
        return {
            "title": forum.title,
            "date": forum.date,
            "starts_at": forum.starts_at,
            "ends_at": forum.ends_at,
            "place": forum.place,
            "agenda": forum.agenda,
            "invited": list(forum.invited_elements.values_list("element", flat=True)),
        }

    def perform(self, form):
        services.forum_update(forum=self.get_object(), by=self.request.user, **_forum_details(form))
        messages.success(self.request, _("The forum is saved."))
        return self.back()


class ForumCancelView(ForumObjectMixin, View):
    http_method_names = ["post"]
    permission_required = "commissioning.cancel_forum"

    def post(self, request, *args, **kwargs):
        form = CancelForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("reason", [])))
            return self.back()
        services.forum_cancel(
            forum=self.get_object(), by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The forum is cancelled and the residents have been told."))
        return self.back()


@method_decorator(offline_page, name="dispatch")
class ForumAttendanceView(AttendancePageMixin, ForumObjectMixin, FormView):
    """Attendance on a phone: the forum's residents, a page at a time, each with a checkbox and
    the element they represent, and a few rows for guests. Saving keeps the page."""

    template_name = "commissioning/forum_attendance.html"
    permission_required = "commissioning.record_attendance"
    form_class = AttendanceForm

    def get_filter_form(self):
        rts = selectors.attendance_rts(self.get_object())
        return AttendanceFilterForm(self.request.GET or None, rts=rts)

    def attendance_residents(self, filters: dict):
        return selectors.residents_for_attendance(
            self.get_object(),
            rt=filters.get("rt"),
            name=filters.get("q", ""),
            attending_only=filters.get("attending", False),
        )

    def _guest_forms(self):
        data = self.request.POST if self.request.method == "POST" else None
        guests = list(selectors.forum_guests(self.get_object()))
        return (
            GuestFormSet(data, prefix="guest"),
            GuestRemoveForm(data, guests=guests, prefix="guests"),
        )

    def get_context_data(self, **kwargs):
        guest_formset, guest_remove_form = getattr(self, "guest_forms", None) or self._guest_forms()
        return super().get_context_data(
            guest_formset=guest_formset, guest_remove_form=guest_remove_form, **kwargs
        )

    def post(self, request, *args, **kwargs):
        self.guest_forms = self._guest_forms()
        form = self.get_form()
        if form.is_valid() and all(guest_form.is_valid() for guest_form in self.guest_forms):
            return self.form_valid(form)
        return self.form_invalid(form)

    def record(self, form) -> str:
        guest_formset, guest_remove_form = self.guest_forms
        guests = [
            services.Guest(
                name=row.cleaned_data["name"],
                origin=row.cleaned_data.get("origin", ""),
                element=row.cleaned_data["element"],
            )
            for row in guest_formset
            if row.cleaned_data.get("name")
        ]
        change = services.forum_attendance_record(
            forum=self.get_object(),
            by=self.request.user,
            present=form.present(),
            absent=form.absent(),
            guests=guests,
            guests_removed=[int(pk) for pk in guest_remove_form.cleaned_data["remove"]],
        )
        return _("Attendance saved: %(added)s added, %(changed)s changed, %(removed)s removed.") % {
            "added": change.added,
            "changed": change.changed,
            "removed": change.removed,
        }


class ForumAttendanceSubmitView(OfflineSubmissionView):
    """The forum's attendance list a phone kept without a signal, sent as JSON: ``present``
    (``{"resident": id, "element": code}`` each), ``absent`` (ids), and optionally ``guests``
    (name, origin, element) and ``guests_removed`` (ids); applied once per key through the same
    service as the page."""

    kind = "forum_attendance"
    permission = "commissioning.record_attendance"
    max_guests = 40

    def get_subject(self):
        return get_object_or_404(
            selectors.forums_visible_to(self.request.user).with_places(), pk=self.kwargs["pk"]
        )

    def clean(self, data: dict, subject):
        rows = data.get("present")
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValidationError(_("The list present is missing or damaged."))
        present = dict(
            zip(
                id_list([row.get("resident") for row in rows], name="present"),
                [row.get("element") or Element.GENERAL for row in rows],
                strict=True,
            )
        )
        if not set(present.values()) <= set(Element.values):
            raise ValidationError(_("Choose the element each person represents from the list."))
        guests = data.get("guests", [])
        if not isinstance(guests, list) or len(guests) > self.max_guests:
            raise ValidationError(_("The list of guests is damaged or too long."))
        cleaned_guests = []
        for guest in guests:
            form = GuestForm(guest if isinstance(guest, dict) else {})
            if not form.is_valid():
                raise ValidationError(
                    [message for errors in form.errors.values() for message in errors]
                )
            if form.cleaned_data.get("name"):
                cleaned_guests.append(
                    services.Guest(
                        name=form.cleaned_data["name"],
                        origin=form.cleaned_data.get("origin", ""),
                        element=form.cleaned_data["element"],
                    )
                )
        return {
            "present": present,
            "absent": id_list(data.get("absent", []), name="absent"),
            "guests": cleaned_guests,
            "guests_removed": id_list(data.get("guests_removed", []), name="guests_removed"),
        }

    def apply(self, subject, cleaned) -> str:
        change = services.forum_attendance_record(forum=subject, by=self.request.user, **cleaned)
        return _("Attendance saved: %(added)s added, %(changed)s changed, %(removed)s removed.") % {
            "added": change.added,
            "changed": change.changed,
            "removed": change.removed,
        }


class ForumMinutesView(ServiceFormMixin, ForumObjectMixin, FormView):
    template_name = "commissioning/forum_minutes.html"
    form_class = MinutesForm
    permission_required = "commissioning.record_minutes"

    def get_initial(self):
        forum = self.get_object()
        return {"minutes": forum.minutes, "decisions": forum.decisions}

    def perform(self, form):
        services.forum_minutes_record(
            forum=self.get_object(),
            by=self.request.user,
            minutes=form.cleaned_data["minutes"],
            decisions=form.cleaned_data["decisions"],
        )
        messages.success(self.request, _("The minutes are saved."))
        return self.back()


class ForumPrioritiesView(ForumObjectMixin, FormView):
    template_name = "commissioning/forum_priorities.html"
    permission_required = "commissioning.record_minutes"

    def get_form(self, form_class=None):
        forum = self.get_object()
        potentials = selectors.potentials_for_priorities(forum)
        data = self.request.POST if self.request.method == "POST" else None
        initial = [
            {
                "potential": item.potential_id,
                "title": item.title,
                "note": item.note,
                "ORDER": item.rank,
            }
            for item in forum.priorities.all()
        ]
        return PriorityFormSet(data, initial=initial, prefix="priority", potentials=potentials)

    def form_valid(self, form):
        rows = [row for row in form.ordered_forms if not row.is_blank]
        try:
            services.forum_priorities_set(
                forum=self.get_object(),
                by=self.request.user,
                priorities=[
                    services.Priority(
                        title=row.cleaned_data["title"],
                        potential=row.cleaned_data["potential"],
                        note=row.cleaned_data["note"],
                    )
                    for row in rows
                ],
            )
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return self.form_invalid(form)
        messages.success(self.request, _("The priority list is saved."))
        return self.back()


class ForumPrintAttendanceView(ForumObjectMixin, DetailView):
    """The attendance list to sign: those recorded, then blank rows for anyone else
    (``?kosong=40`` prints a blank list before the forum)."""

    template_name = "commissioning/forum_print_attendance.html"
    permission_required = "commissioning.view_forum_attendance"
    context_object_name = "forum"

    def get_context_data(self, **kwargs):
        blank = self.request.GET.get("kosong", "")
        blank = min(int(blank), PRINT_MAX_BLANK_ROWS) if blank.isdecimal() else PRINT_BLANK_ROWS
        attendances = list(selectors.forum_attendance(self.object))
        return super().get_context_data(
            attendances=attendances,
            blank_rows=range(len(attendances) + 1, len(attendances) + blank + 1),
            **kwargs,
        )


class ForumPrintMinutesView(ScopedObjectMixin, DetailView):
    template_name = "commissioning/forum_print_minutes.html"
    permission_required = "commissioning.view_forum"
    context_object_name = "forum"

    def get_queryset(self):
        return selectors.forum_detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        selectors.attach_inclusiveness([self.object])
        return super().get_context_data(**kwargs)
