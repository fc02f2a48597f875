"""Fill ``Comment.resident`` for comments written before it existed: the verified register entry
linked to the author's account, the entry the ledger's recomputation counted them for until
now. Its reverse empties the field."""

from django.db import migrations


def fill(apps, schema_editor):
    Comment = apps.get_model("designing", "Comment")
    Resident = apps.get_model("rtkeren", "Resident")
    entries = dict(
        Resident.objects.filter(user__isnull=False, verification="verified").values_list(
            "user_id", "pk"
        )
    )
    changed = []
    for comment in Comment.objects.only("pk", "author_id").iterator():
        if comment.author_id in entries:
            comment.resident_id = entries[comment.author_id]
            changed.append(comment)
    Comment.objects.bulk_update(changed, ["resident"], batch_size=1000)


def empty(apps, schema_editor):
    apps.get_model("designing", "Comment").objects.update(resident=None)


class Migration(migrations.Migration):
    dependencies = [
        ("designing", "0005_comment_resident"),
        ("rtkeren", "0022_resident_status_change"),
    ]

    operations = [migrations.RunPython(fill, empty)]
