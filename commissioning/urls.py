from django.urls import path

from . import views

app_name = "commissioning"

urlpatterns = [
    path("", views.KelurahanListView.as_view(), name="kelurahan-list"),
    path("kelurahan/<int:pk>/", views.KelurahanDetailView.as_view(), name="kelurahan-detail"),
    path("potensi/", views.PotentialListView.as_view(), name="potential-list"),
    path("potensi/baru/", views.PotentialCreateView.as_view(), name="potential-create"),
    path("potensi/<int:pk>/", views.PotentialDetailView.as_view(), name="potential-detail"),
    path("potensi/<int:pk>/foto/", views.PotentialPhotoView.as_view(), name="potential-photo"),
    path("potensi/<int:pk>/ubah/", views.PotentialUpdateView.as_view(), name="potential-update"),
    path(
        "potensi/<int:pk>/dukung/", views.PotentialEndorseView.as_view(), name="potential-endorse"
    ),
    path(
        "potensi/<int:pk>/batal-dukung/",
        views.PotentialUnendorseView.as_view(),
        name="potential-unendorse",
    ),
    path("potensi/<int:pk>/gabung/", views.PotentialMergeView.as_view(), name="potential-merge"),
    path(
        "potensi/<int:pk>/arsipkan/", views.PotentialArchiveView.as_view(), name="potential-archive"
    ),
    path("musyawarah/", views.ForumListView.as_view(), name="forum-list"),
    path("musyawarah/baru/", views.ForumCreateView.as_view(), name="forum-create"),
    path("musyawarah/<int:pk>/", views.ForumDetailView.as_view(), name="forum-detail"),
    path("musyawarah/<int:pk>/ubah/", views.ForumUpdateView.as_view(), name="forum-update"),
    path(
        "musyawarah/<int:pk>/kalender.ics",
        views.ForumCalendarView.as_view(),
        name="forum-calendar",
    ),
    path("musyawarah/<int:pk>/batalkan/", views.ForumCancelView.as_view(), name="forum-cancel"),
    path(
        "musyawarah/<int:pk>/hadir/", views.ForumAttendanceView.as_view(), name="forum-attendance"
    ),
    path(
        "musyawarah/<int:pk>/hadir/kirim/",
        views.ForumAttendanceSubmitView.as_view(),
        name="forum-attendance-submit",
    ),
    path(
        "musyawarah/<int:pk>/berita-acara/", views.ForumMinutesView.as_view(), name="forum-minutes"
    ),
    path(
        "musyawarah/<int:pk>/prioritas/",
        views.ForumPrioritiesView.as_view(),
        name="forum-priorities",
    ),
    path(
        "musyawarah/<int:pk>/cetak/daftar-hadir/",
        views.ForumPrintAttendanceView.as_view(),
        name="forum-print-attendance",
    ),
    path(
        "musyawarah/<int:pk>/cetak/berita-acara/",
        views.ForumPrintMinutesView.as_view(),
        name="forum-print-minutes",
    ),
]
