from django.contrib import admin
from django.urls import include, path

from rtkeren.views import (
    accounts,
    activities,
    audit,
    calendars,
    exports,
    history,
    imports,
    messages,
    notifications,
    pages,
    privacy,
    public,
    pwa,
    reports,
    residents,
    webhooks,
)

handler500 = pages.server_error

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("bahasa/", pages.language_set, name="language-set"),
    path("manifest.webmanifest", pwa.manifest, name="web-manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("luring/", pwa.offline, name="offline"),
    path("luring/antrean/", pwa.offline_queue, name="offline-queue"),
    path("accounts/", include(accounts.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("warga/impor/", include(imports.urlpatterns)),
    path("warga/", include(residents.urlpatterns)),
    path("notifikasi/", include(notifications.urlpatterns)),
    path("pesan-keluar/", include(messages.urlpatterns)),
    path("webhook/", include(webhooks.urlpatterns)),
    path("kalender/", include(calendars.urlpatterns)),
    path("kegiatan/", include(activities.urlpatterns)),
    path("riwayat/", include(history.history_urlpatterns())),
    path("ekspor/", include(exports.urlpatterns)),
    path("audit/", include(audit.urlpatterns)),
    path("laporan/", include(reports.urlpatterns)),
    path("publik/", include(public.urlpatterns)),
    path("privasi/", privacy.PrivacyNoticeView.as_view(), name="privacy-notice"),
    path("data-saya/", include(privacy.urlpatterns)),
    path("perencanaan/", include("commissioning.urls")),
    path("perancangan/", include("designing.urls")),
    path("pelaksanaan/", include("delivery.urls")),
    path("evaluasi/", include("assessment.urls")),
    path("admin/", admin.site.urls),
]
