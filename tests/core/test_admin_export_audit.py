import pytest
from django.urls import reverse

from rtkeren.models import ExportAudit

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(officer, kelurahan):
    return ExportAudit.objects.create(
        user=officer,
        export="warga",
        title="Warga",
        kelurahan=kelurahan,
        scope=kelurahan.name,
        row_count=12,
    )


def test_export_audit_log_is_read_only(client, admin_user, audit):
    client.force_login(admin_user)

    listing = client.get(reverse("admin:rtkeren_exportaudit_changelist"))
    add = client.get(reverse("admin:rtkeren_exportaudit_add"))
    change = client.post(
        reverse("admin:rtkeren_exportaudit_change", args=[audit.pk]), {"row_count": 0}
    )
    delete = client.post(
        reverse("admin:rtkeren_exportaudit_delete", args=[audit.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert audit.scope in listing.content.decode()
    assert add.status_code == 403
    assert change.status_code == 403
    assert delete.status_code == 403
    audit.refresh_from_db()
    assert audit.row_count == 12


def test_export_audit_log_filters_by_export_and_kelurahan(
    client, admin_user, audit, foreign_officer, foreign_kelurahan
):
    ExportAudit.objects.create(
        user=foreign_officer,
        export="belanja",
        title="Belanja",
        kelurahan=foreign_kelurahan,
        scope=foreign_kelurahan.name,
        row_count=3,
    )
    client.force_login(admin_user)
    url = reverse("admin:rtkeren_exportaudit_changelist")

    by_export = client.get(url, {"export": "belanja"})
    by_kelurahan = client.get(url, {"kelurahan__id__exact": audit.kelurahan_id})
    by_year = client.get(url, {"at__year": audit.at.year})

    assert list(by_export.context["cl"].result_list) == [ExportAudit.objects.get(export="belanja")]
    assert list(by_kelurahan.context["cl"].result_list) == [audit]
    assert by_year.context["cl"].result_count == 2
