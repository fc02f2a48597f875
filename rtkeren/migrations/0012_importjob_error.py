from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0011_importjob_rows_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="error",
            field=models.TextField(blank=True, verbose_name="problem"),
        ),
    ]
