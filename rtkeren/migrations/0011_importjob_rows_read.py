from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0010_alter_importjob_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="rows_read",
            field=models.PositiveIntegerField(default=0, verbose_name="lines read"),
        ),
    ]
