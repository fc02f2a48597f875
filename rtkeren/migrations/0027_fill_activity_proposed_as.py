"""Fill ``Activity.proposed_as`` for activities proposed before it existed: the verified register
entry linked to the author's account, the entry the ledger's recomputation counted proposing
for until now. Its reverse empties the field."""

from django.db import migrations


def fill(apps, schema_editor):
    Activity = apps.get_model("rtkeren", "Activity")
    ActivityTransition = apps.get_model("rtkeren", "ActivityTransition")
    Resident = apps.get_model("rtkeren", "Resident")
    entries = dict(
        Resident.objects.filter(user__isnull=False, verification="verified").values_list(
            "user_id", "pk"
        )
    )
    proposed = ActivityTransition.objects.filter(to_status="proposed").values("activity_id")
    changed = []
    for activity in Activity.objects.filter(pk__in=proposed).only("pk", "author_id").iterator():
        if activity.author_id in entries:
            activity.proposed_as_id = entries[activity.author_id]
            changed.append(activity)
    Activity.objects.bulk_update(changed, ["proposed_as"], batch_size=1000)


def empty(apps, schema_editor):
    apps.get_model("rtkeren", "Activity").objects.update(proposed_as=None)


class Migration(migrations.Migration):
    dependencies = [("rtkeren", "0026_activity_proposed_as")]

    operations = [migrations.RunPython(fill, empty)]
