"""Pages of co-assessment. Every object is looked up within the user's reach (out of reach:
404), then the permission is checked (in reach without the right: 403); services do the rest."""

from .evaluations import (
    EvaluationEditView,
    EvaluationListView,
    EvaluationRecordView,
    EvaluationSubmitView,
    EvaluationSummaryView,
    EvaluationUpdateView,
)
from .follow_ups import FollowUpCreateView, FollowUpDetailView, FollowUpListView, FollowUpUpdateView
from .rounds import (
    RoundAttendanceView,
    RoundCloseView,
    RoundCreateView,
    RoundDetailView,
    RoundListView,
)
from .scorecard import (
    ScorecardCityView,
    ScorecardHomeView,
    ScorecardKelurahanView,
    ScorecardRtView,
    ThresholdUpdateView,
)

__all__ = [
    "EvaluationListView",
    "EvaluationSummaryView",
    "EvaluationEditView",
    "EvaluationSubmitView",
    "EvaluationRecordView",
    "EvaluationUpdateView",
    "FollowUpListView",
    "FollowUpCreateView",
    "FollowUpDetailView",
    "FollowUpUpdateView",
    "RoundListView",
    "RoundCreateView",
    "RoundDetailView",
    "RoundAttendanceView",
    "RoundCloseView",
    "ScorecardHomeView",
    "ScorecardCityView",
    "ScorecardKelurahanView",
    "ScorecardRtView",
    "ThresholdUpdateView",
]
