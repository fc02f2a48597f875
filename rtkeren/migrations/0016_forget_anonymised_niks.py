from django.db import migrations


def forget_niks_and_birth_dates(apps, schema_editor):
    """Residents anonymised before this release still hold their encrypted NIK and birth date,
    in the register and in its history: both go, as they do for every anonymisation now."""
    DeletionRequest = apps.get_model("rtkeren", "DeletionRequest")
    Resident = apps.get_model("rtkeren", "Resident")
    HistoricalResident = apps.get_model("rtkeren", "HistoricalResident")
    anonymised = DeletionRequest.objects.filter(status="completed").values("resident_id")
    Resident.objects.filter(pk__in=anonymised).update(
        nik_ciphertext="", nik_digest="", birth_date=None
    )
    HistoricalResident.objects.filter(id__in=anonymised).update(nik_digest="", birth_date=None)


def cannot_bring_back(apps, schema_editor):
    """What was forgotten cannot be restored; going back leaves the anonymised rows as they are
    (the schema step before this one needs no data to be put back)."""


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0015_resident_nik_and_birth_date_optional"),
    ]

    operations = [
        migrations.RunPython(forget_niks_and_birth_dates, cannot_bring_back),
    ]
