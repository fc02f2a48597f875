

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('rtkeren', '0008_privacy'),
    ]

    operations = [
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ('token', models.CharField(max_length=32)),
            ],
            options={
                'verbose_name': 'data version',
                'verbose_name_plural': 'data versions',
            },
        ),
    ]
