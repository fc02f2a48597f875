"""Small pieces every app's views share."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.views.generic.detail import SingleObjectMixin

from rtkeren.permissions import PermissionRequiredMixin


def form_add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class ScopedObjectMixin(LoginRequiredMixin, PermissionRequiredMixin, SingleObjectMixin):
    """One object from ``get_queryset`` (which starts from the user's reach), read once per
    request and used as the permission object."""

    def get_object(self, queryset=None):
        if getattr(self, "object", None) is None:
            self.object = super().get_object(queryset)
        return self.object

    def get_permission_object(self):
        return self.get_object()
