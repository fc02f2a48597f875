from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.EvaluationListView.as_view(), name="evaluation-list"),
    path(
        "kegiatan/<int:pk>/",
        views.EvaluationSummaryView.as_view(),
        name="evaluation-summary",
    ),
    path("kegiatan/<int:pk>/nilai/", views.EvaluationEditView.as_view(), name="evaluation-edit"),
    path(
        "kegiatan/<int:pk>/nilai/kirim/",
        views.EvaluationSubmitView.as_view(),
        name="evaluation-submit",
    ),
    path(
        "kegiatan/<int:pk>/atas-nama/",
        views.EvaluationRecordView.as_view(),
        name="evaluation-record",
    ),
    path(
        "penilaian/<int:pk>/ubah/", views.EvaluationUpdateView.as_view(), name="evaluation-update"
    ),
    path(
        "kegiatan/<int:pk>/tindak-lanjut/baru/",
        views.FollowUpCreateView.as_view(),
        name="followup-create",
    ),
    path("tindak-lanjut/", views.FollowUpListView.as_view(), name="followup-list"),
    path("tindak-lanjut/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup-detail"),
    path(
        "tindak-lanjut/<int:pk>/ubah/", views.FollowUpUpdateView.as_view(), name="followup-update"
    ),
    path("putaran/", views.RoundListView.as_view(), name="round-list"),
    path("putaran/baru/", views.RoundCreateView.as_view(), name="round-create"),
    path("putaran/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path("putaran/<int:pk>/hadir/", views.RoundAttendanceView.as_view(), name="round-attendance"),
    path("putaran/<int:pk>/tutup/", views.RoundCloseView.as_view(), name="round-close"),
    path("skor/", views.ScorecardHomeView.as_view(), name="scorecard-home"),
    path("skor/kota/", views.ScorecardCityView.as_view(), name="scorecard-city"),
    path(
        "skor/kelurahan/<int:pk>/",
        views.ScorecardKelurahanView.as_view(),
        name="scorecard-kelurahan",
    ),
    path("skor/rt/<int:pk>/", views.ScorecardRtView.as_view(), name="scorecard-rt"),
    path("skor/ambang/<int:pk>/", views.ThresholdUpdateView.as_view(), name="scorecard-thresholds"),
]
