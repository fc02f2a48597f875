"""Small pieces every app's views share."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.views.generic.detail import SingleObjectMixin

from rtkeren.forms.attendance import AttendanceForm, NameFilterForm
from rtkeren.models import Kelurahan, Period
from rtkeren.permissions import PermissionRequiredMixin
from rtkeren.prepared import Prepared
from rtkeren.scopecache import read_public_versions_ahead
from rtkeren.selectors.reports import all_periods, public_period


class PublicKelurahanMixin(SingleObjectMixin):
    """A page about one kelurahan (by its code in the URL) that anyone may see, for the year
    asked in ``?tahun=`` (``public_year``)."""

    context_object_name = "kelurahan"
    slug_field = "code"
    slug_url_kwarg = "code"
    queryset = Kelurahan.objects.select_related("kecamatan")

    def dispatch(self, request, *args, **kwargs):
        # A visitor reads the public records' versions once, for every public value the page
        # takes (its years, its places).
        read_public_versions_ahead()
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        """The kelurahan of the code in the URL, read prepared (``rtkeren.prepared``): every
        request of a public page asks for it, and anyone may."""
        if queryset is not None:
            return super().get_object(queryset)
        code = self.kwargs[self.slug_url_kwarg]
        rows = Prepared(Kelurahan, _kelurahan_by_code, (), {"code": code}).rows()
        if not rows:
            raise Http404
        return rows[0]

    def public_year(self) -> tuple[Period, list[Period]]:
        """The year shown and every year, newest first (``all_periods``, from the cache of
        public records; 404 for an unknown year)."""
        periods = all_periods()
        return public_period(self.request, periods), periods


def _kelurahan_by_code(shape: tuple, values: dict):
    return PublicKelurahanMixin.queryset.filter(code=values["code"])


def form_add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ScopedObjectMixin(LoginRequiredMixin, PermissionRequiredMixin, SingleObjectMixin):
    """One object from ``get_queryset`` (which starts from the user's reach), read once per
    request and used as the permission object. ``get_queryset`` may give a prepared query
    (``rtkeren.prepared``)."""

    def get_object(self, queryset=None):
        if getattr(self, "object", None) is None:
            queryset = self.get_queryset() if queryset is None else queryset
            if isinstance(queryset, Prepared):
                self.object = queryset.one(self.kwargs.get(self.pk_url_kwarg))
                if self.object is None:
                    raise Http404
            else:
                self.object = super().get_object(queryset)
        return self.object

    def get_permission_object(self):
        return self.get_object()


class ServiceFormMixin:
    """A form whose valid data goes to a service (with ``FormView``): ``perform(form)`` calls
    the service, says what was done (``messages``) and returns where to go next. A
    ``ValidationError`` the service raises goes on the form, by field where the form has that
    field, and the form is shown again as typed: the data stays as it was."""

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self.form_invalid(form)


class AttendancePageMixin(ServiceFormMixin):
    """The attendance page of a forum, a meeting or an evaluation forum (with ``FormView``): the
    residents of its place (``attendance_residents``, given the filter form's cleaned data) a
    page at a time, each with a checkbox (``form_class``, a ``rtkeren.forms.attendance``
    form); saving calls ``record``, which returns the message to show, and comes back to the
    same page and filter."""

    attendance_page_size = 50
    form_class = AttendanceForm
    filter_form_class = NameFilterForm

    def attendance_residents(self, filters: dict):
        raise NotImplementedError

    def record(self, form) -> str:
        raise NotImplementedError

    def get_filter_form(self):
        return self.filter_form_class(self.request.GET or None)

    def attendance_page(self):
        if not hasattr(self, "_attendance_page"):
            self.filter_form = self.get_filter_form()
            filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
            self._attendance_page = Paginator(
                self.attendance_residents(filters), self.attendance_page_size
            ).get_page(self.request.GET.get("page"))
        return self._attendance_page

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else None
        form_class = form_class or self.get_form_class()
        return form_class(data, residents=self.attendance_page().object_list)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            page_obj=self.attendance_page(),
            filter_form=self.filter_form,
            present_count=self.get_object().attendances.count(),
            **kwargs,
        )

    def perform(self, form):
        messages.success(self.request, self.record(form))
        return HttpResponseRedirect(self.page_after_saving())

    def page_after_saving(self) -> str:
        """The same list, on the page asked for with the save ("save and go on"), if any."""
        query = self.request.GET.copy()
        wanted = self.request.POST.get("go", "")
        if wanted.isdecimal() and 1 <= int(wanted) <= self.attendance_page().paginator.num_pages:
            query["page"] = wanted
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path
