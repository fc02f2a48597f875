import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0021_resident_status_changed_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ResidentStatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("moved_away", "Moved out of the city"),
                            ("moved_within", "Moved to another RT in the city"),
                            ("died", "Died"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                ("happened_on", models.DateField(verbose_name="date")),
                ("note", models.CharField(max_length=500, verbose_name="reason or note")),
                (
                    "recorded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="recorded at"
                    ),
                ),
                (
                    "from_rt",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="rtkeren.rt",
                        verbose_name="from RT",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "resident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_changes",
                        to="rtkeren.resident",
                        verbose_name="resident",
                    ),
                ),
                (
                    "to_rt",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="rtkeren.rt",
                        verbose_name="to RT",
                    ),
                ),
            ],
            options={
                "verbose_name": "resident status change",
                "verbose_name_plural": "resident status changes",
                "ordering": ["-recorded_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "moved_within"), ("to_rt__isnull", False)),
                            models.Q(
                                models.Q(("kind", "moved_within"), _negated=True),
                                ("to_rt__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="resident_status_change_to_rt_only_for_moves_within",
                    )
                ],
            },
        ),
    ]
