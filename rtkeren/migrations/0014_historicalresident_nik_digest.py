from django.db import migrations, models


class Migration(migrations.Migration):
    """The history tells that a NIK changed by its keyed hash, now that no digit of it is kept."""

    dependencies = [
        ("rtkeren", "0013_remove_resident_nik_last4"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalresident",
            name="nik_digest",
            field=models.CharField(
                default="",
                editable=False,
                max_length=64,
                verbose_name="NIK keyed hash",
            ),
            preserve_default=False,
        ),
    ]
