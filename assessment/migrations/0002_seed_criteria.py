"""The five criteria of the study, in Indonesian as the kelurahan asks them; admins add others."""

from django.db import migrations

CRITERIA = [
    ("manfaat", "Manfaat", "Seberapa bermanfaat kegiatan ini bagi Anda dan warga?"),
    (
        "minat-bakat",
        "Kesesuaian dengan minat dan bakat",
        "Seberapa sesuai kegiatan ini dengan minat dan bakat warga?",
    ),
    (
        "kualitas-pelaksanaan",
        "Kualitas pelaksanaan",
        "Seberapa baik kegiatan ini dilaksanakan (waktu, tempat, pelatih, bahan)?",
    ),
    (
        "luaran-produk",
        "Luaran/produk",
        "Seberapa jauh luaran atau produk kegiatan ini selesai dan dapat dipakai?",
    ),
    (
        "komunikasi-pengurus",
        "Komunikasi pengurus",
        "Seberapa baik pengurus menyampaikan informasi dan mendengar warga?",
    ),
]


def seed(apps, schema_editor):
    Criterion = apps.get_model("assessment", "Criterion")
    for order, (code, name, question) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(
            code=code, defaults={"name": name, "question": question, "order": order}
        )


def unseed(apps, schema_editor):
    Criterion = apps.get_model("assessment", "Criterion")
    Criterion.objects.filter(code__in=[code for code, _name, _question in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_evaluations_follow_ups_rounds")]

    operations = [migrations.RunPython(seed, unseed)]
