"""The Indonesian catalogue is complete, compiled, and covers every translatable string."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
SOURCES = ["rtkeren", "commissioning", "designing", "delivery", "assessment", "templates"]


def entries(catalogue) -> dict[str, str]:
    return {
        (entry.msgctxt or "") + "\x04" + entry.msgid: entry.msgstr or entry.msgstr_plural.get(0, "")
        for entry in catalogue
        if not entry.obsolete
    }


def test_every_string_has_an_indonesian_translation():
    catalogue = polib.pofile(str(PO))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_source():
    assert entries(polib.mofile(str(MO))) == entries(polib.pofile(str(PO)))


def test_catalogue_covers_every_translatable_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed to extract strings: apt-get install -y gettext")
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "manage.py", copy)
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "locale" / "id" / "LC_MESSAGES").mkdir(parents=True)

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "rtkeren.settings.test"},
    )
    extracted = polib.pofile(str(copy / "locale" / "id" / "LC_MESSAGES" / "django.po"))

    missing = set(entries(extracted)) - set(entries(polib.pofile(str(PO))))
    assert sorted(key.split("\x04", 1)[1] for key in missing) == []
