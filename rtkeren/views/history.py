"""The change history of a stage record (a spending line, an output, a meeting, a forum, a
potential...), for the officers of its kelurahan and the administrator: one page for every kind
the apps register in ``rtkeren.registry.history_kinds``, under its own URL name."""

from django.urls import path
from django.views.generic import DetailView

from rtkeren.mixins import ScopedObjectMixin
from rtkeren.registry import HistoryKind, history_kinds
from rtkeren.selectors.history import history_page


class RecordHistoryView(ScopedObjectMixin, DetailView):
    """Every saved version of the record, newest first, with what changed in each. A record
    outside what the kind lets the user reach is a 404; one they reach without the kind's
    permission, a 403."""

    template_name = "rtkeren/record_history.html"
    context_object_name = "record"
    kind: HistoryKind | None = None

    def get_permission_required(self):
        return [self.kind.permission]

    def get_queryset(self):
        return self.kind.queryset(self.request.user)

    def get_context_data(self, **kwargs):
        page = history_page(self.object, self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            entries=page.object_list,
            back_url=self.kind.back_url(self.object),
            kind_name=self.object._meta.verbose_name,
            related=self.kind.related(self.object) if self.kind.related else [],
            **kwargs,
        )


def history_urlpatterns() -> list:
    """One URL per registered kind, so that each has its own name (``<name>-history``): read
    when the URLs load, once every app has registered its kinds."""
    return [
        path(
            f"{kind.slug}/<int:pk>/",
            RecordHistoryView.as_view(kind=kind),
            name=f"{kind.name}-history",
        )
        for kind in history_kinds.all()
    ]
