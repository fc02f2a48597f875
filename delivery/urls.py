from django.urls import path

from . import reports, views

app_name = "delivery"

urlpatterns = [
    path("", views.ActivityListView.as_view(), name="activity-list"),
    path(
        "kegiatan/<int:pk>/",
        views.ActivityDetailView.as_view(),
        name="activity-detail",
    ),
    path(
        "kegiatan/<int:pk>/status/<str:to>/",
        views.ActivityTransitionView.as_view(),
        name="activity-transition",
    ),
    path(
        "kegiatan/<int:pk>/pertemuan/baru/",
        views.MeetingCreateView.as_view(),
        name="meeting-create",
    ),
    path(
        "kegiatan/<int:pk>/pelaksana/",
        views.ImplementerListView.as_view(),
        name="implementer-list",
    ),
    path("kegiatan/<int:pk>/luaran/baru/", views.OutputCreateView.as_view(), name="output-create"),
    path("kegiatan/<int:pk>/pengurus/", views.CommitteeView.as_view(), name="committee"),
    path("kegiatan/<int:pk>/realisasi/", views.SpendingView.as_view(), name="spending-list"),
    path("pertemuan/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting-detail"),
    path("pertemuan/<int:pk>/ubah/", views.MeetingUpdateView.as_view(), name="meeting-update"),
    path(
        "pertemuan/<int:pk>/kalender.ics",
        views.MeetingCalendarView.as_view(),
        name="meeting-calendar",
    ),
    path(
        "pertemuan/<int:pk>/hadir/",
        views.MeetingAttendanceView.as_view(),
        name="meeting-attendance",
    ),
    path(
        "pertemuan/<int:pk>/hadir/kirim/",
        views.MeetingAttendanceSubmitView.as_view(),
        name="meeting-attendance-submit",
    ),
    path("pertemuan/<int:pk>/kode-qr.svg", views.MeetingQrView.as_view(), name="meeting-qr"),
    path(
        "pertemuan/<int:pk>/absen/<str:token>/",
        views.MeetingCheckinView.as_view(),
        name="meeting-checkin",
    ),
    path("pertemuan/<int:pk>/cetak/", views.MeetingPrintView.as_view(), name="meeting-print"),
    path("pertemuan/<int:pk>/foto/", views.MeetingPhotoCreateView.as_view(), name="photo-create"),
    path(
        "pelaksana/<int:pk>/hapus/",
        views.ImplementerDeleteView.as_view(),
        name="implementer-delete",
    ),
    path("foto/<int:pk>/", views.MeetingPhotoFileView.as_view(), name="photo-file"),
    path("realisasi/<int:pk>/nota/", views.SpendingReceiptView.as_view(), name="receipt-file"),
    path("luaran/<int:pk>/", views.OutputUpdateView.as_view(), name="output-update"),
    path("tugas/", views.TaskListView.as_view(), name="task-list"),
    path("tugas/<int:pk>/selesai/", views.TaskDoneView.as_view(), name="task-done"),
    path("rt/<int:pk>/realisasi/", views.RtSpendingView.as_view(), name="rt-spending"),
    path("rt/<int:pk>/lpj/", reports.LpjView.as_view(), name="report-lpj"),
]
