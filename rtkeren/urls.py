from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from rtkeren.views import accounts, activities, notifications, pages, residents

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("bahasa/", pages.language_set, name="language-set"),
    path("accounts/", include(accounts.urlpatterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("warga/", include(residents.urlpatterns)),
    path("notifikasi/", include(notifications.urlpatterns)),
    path("kegiatan/", include(activities.urlpatterns)),
    path("perencanaan/", include("commissioning.urls")),
    path("perancangan/", include("designing.urls")),
    path("pelaksanaan/", include("delivery.urls")),
    path("evaluasi/", include("assessment.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
