"""Co-assessment's part of what a person takes away from Data Saya."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from rtkeren.registry import PersonalSection

from .models import Evaluation, FollowUp, ForumAttendance, Score


def sections(user, resident_ids: list[int]) -> list[PersonalSection]:
    """The person's evaluations with their scores, the follow-ups they own and the evaluation
    forums they attended: a query each, and one more for all the scores."""
    evaluations = (
        Evaluation.objects.filter(Q(evaluator=user) | Q(resident_id__in=resident_ids))
        .select_related("activity")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("created_at", "pk")
    )
    follow_ups = (
        FollowUp.objects.filter(owner=user).select_related("activity").order_by("due_on", "pk")
    )
    attendances = (
        ForumAttendance.objects.filter(resident_id__in=resident_ids)
        .select_related("round")
        .order_by("round__forum_on", "pk")
    )
    return [
        PersonalSection(
            key="evaluations",
            title=_("Evaluations given"),
            rows=[
                {
                    _("Activity"): evaluation.activity.title,
                    _("Side"): evaluation.get_side_display(),
                    _("Scores"): "; ".join(
                        f"{score.criterion.name}: {score.value}"
                        for score in evaluation.scores.all()
                    ),
                    _("Obstacles"): evaluation.obstacles,
                    _("Suggestions"): evaluation.suggestions,
                    _("Recorded on your behalf"): _("Yes") if evaluation.on_behalf else _("No"),
                    _("Submitted at"): evaluation.created_at,
                }
                for evaluation in evaluations
            ],
        ),
        PersonalSection(
            key="follow_ups",
            title=_("Follow-ups owned"),
            rows=[
                {
                    _("Activity"): follow_up.activity.title,
                    _("Obstacle"): follow_up.obstacle,
                    _("Action to take"): follow_up.action,
                    _("Due on"): follow_up.due_on,
                    _("Status"): follow_up.get_status_display(),
                    _("Resolution"): follow_up.resolution,
                }
                for follow_up in follow_ups
            ],
        ),
        PersonalSection(
            key="evaluation_forum_attendance",
            title=_("Evaluation forums attended"),
            rows=[
                {
                    _("Evaluation round"): attendance.round.title,
                    _("Date"): attendance.round.forum_on,
                }
                for attendance in attendances
            ],
        ),
    ]
