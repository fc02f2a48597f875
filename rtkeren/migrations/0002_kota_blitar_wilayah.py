"""Kota Blitar, its 3 kecamatan and 21 kelurahan (Kemendagri codes, Kepmendagri 300.2.2-2138/2025)."""

from django.db import migrations

KOTA = ("35.72", "Kota Blitar")
KECAMATAN = [
    ("35.72.01", "Kepanjenkidul"),
    ("35.72.02", "Sukorejo"),
    ("35.72.03", "Sananwetan"),
]
KELURAHAN = [
    ("35.72.01.1001", "Kepanjenkidul", "35.72.01"),
    ("35.72.01.1002", "Ngadirejo", "35.72.01"),
    ("35.72.01.1003", "Sentul", "35.72.01"),
    ("35.72.01.1004", "Kauman", "35.72.01"),
    ("35.72.01.1005", "Tanggung", "35.72.01"),
    ("35.72.01.1006", "Bendo", "35.72.01"),
    ("35.72.01.1007", "Kepanjenlor", "35.72.01"),
    ("35.72.02.1001", "Pakunden", "35.72.02"),
    ("35.72.02.1002", "Blitar", "35.72.02"),
    ("35.72.02.1003", "Tlumpu", "35.72.02"),
    ("35.72.02.1004", "Turi", "35.72.02"),
    ("35.72.02.1005", "Karangsari", "35.72.02"),
    ("35.72.02.1006", "Sukorejo", "35.72.02"),
    ("35.72.02.1007", "Tanjungsari", "35.72.02"),
    ("35.72.03.1001", "Gedog", "35.72.03"),
    ("35.72.03.1002", "Plosokerep", "35.72.03"),
    ("35.72.03.1003", "Klampok", "35.72.03"),
    ("35.72.03.1004", "Sananwetan", "35.72.03"),
    ("35.72.03.1005", "Rembang", "35.72.03"),
    ("35.72.03.1006", "Karangtengah", "35.72.03"),
    ("35.72.03.1007", "Bendogerit", "35.72.03"),
]


def load(apps, schema_editor):
    Kota = apps.get_model("rtkeren", "Kota")
    Kecamatan = apps.get_model("rtkeren", "Kecamatan")
    Kelurahan = apps.get_model("rtkeren", "Kelurahan")
    kota, _ = Kota.objects.update_or_create(code=KOTA[0], defaults={"name": KOTA[1]})
    kecamatan = {}
    for code, name in KECAMATAN:
        kecamatan[code], _ = Kecamatan.objects.update_or_create(
            code=code, defaults={"name": name, "kota": kota}
        )
    for code, name, parent in KELURAHAN:
        Kelurahan.objects.update_or_create(
            code=code, defaults={"name": name, "kecamatan": kecamatan[parent]}
        )


def unload(apps, schema_editor):
    kelurahan_codes = [code for code, _name, _parent in KELURAHAN]
    apps.get_model("rtkeren", "Kelurahan").objects.filter(code__in=kelurahan_codes).delete()
    kecamatan_codes = [code for code, _name in KECAMATAN]
    apps.get_model("rtkeren", "Kecamatan").objects.filter(code__in=kecamatan_codes).delete()
    apps.get_model("rtkeren", "Kota").objects.filter(code=KOTA[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("rtkeren", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
