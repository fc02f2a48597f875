from django.db import migrations, models


class Migration(migrations.Migration):
    """An anonymised resident keeps neither a NIK nor a birth date."""

    dependencies = [
        ("rtkeren", "0014_historicalresident_nik_digest"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalresident",
            name="nik_digest",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="NIK keyed hash"
            ),
        ),
        migrations.AlterField(
            model_name="historicalresident",
            name="birth_date",
            field=models.DateField(null=True, verbose_name="birth date"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="birth_date",
            field=models.DateField(null=True, verbose_name="birth date"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="nik_ciphertext",
            field=models.TextField(blank=True, editable=False, verbose_name="NIK (encrypted)"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="nik_digest",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="NIK keyed hash"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="resident",
            name="resident_unique_verified_nik",
        ),
        migrations.AddConstraint(
            model_name="resident",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("verification", "verified"), models.Q(("nik_digest", ""), _negated=True)
                ),
                fields=("nik_digest",),
                name="resident_unique_verified_nik",
            ),
        ),
    ]
