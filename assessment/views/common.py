"""What the pages of co-assessment share."""

from django.shortcuts import render

from rtkeren.mixins import ScopedObjectMixin

from .. import selectors

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
        return selectors.evaluated_activities(self.request.user)
