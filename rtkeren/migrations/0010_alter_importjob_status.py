from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0009_data_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting for the check"),
                    ("checking", "Being checked"),
                    ("checked", "Checked, waiting for confirmation"),
                    ("failed", "Could not be checked"),
                    ("importing", "Being imported"),
                    ("imported", "Imported"),
                ],
                default="waiting",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
