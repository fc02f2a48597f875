from django.db import migrations


class Migration(migrations.Migration):
    """The last four digits of a NIK, beside a birth date shown elsewhere, rebuild the NIK: they
    are neither shown nor kept any more."""

    dependencies = [
        ("rtkeren", "0012_importjob_error"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalresident",
            name="nik_last4",
        ),
        migrations.RemoveField(
            model_name="resident",
            name="nik_last4",
        ),
    ]
