"""One way to plug in: every registry a running portal asks is full as soon as Django is set
up (each app's ``AppConfig.ready()``), in a process that has asked nothing yet; the seed data
alone waits for the seed commands."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = [
    "commissioning.potential",
    "commissioning.forum",
    "designing.votinground",
    "assessment.evaluationround",
]
PROBE = (
    f"SUBJECTS = {SUBJECTS!r}\n"
    + """
import json
import django
django.setup()
from rtkeren import registry
print(json.dumps({
    "attention": [name for name, _ in registry.attention.items()],
    "exports": [name for name, _ in registry.exports.items()],
    "public": [name for name, _ in registry.public_sections.items()],
    "history": [kind.name for kind in registry.history_kinds.all()],
    "demo": [name for name, _ in registry.demo_data.items()],
    "personal": [name for name, _ in registry.personal_data.items()],
    "open_data": [name for name, _ in registry.open_datasets.items()],
    "reminders": [name for name, _ in registry.reminder_providers.items()],
    "subjects": [
        label for label in SUBJECTS if label in registry.participation_subjects
    ],
}))
"""
)


def test_a_fresh_process_has_every_runtime_registry_filled_and_no_seed_data():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "rtkeren.settings.test"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])

    apps = ("commissioning", "designing", "delivery", "assessment")
    assert {"core-verification", "core-notifications"} <= set(found["attention"])
    for app in apps:
        assert any(name.startswith(app) for name in found["attention"]), app
        assert app in found["public"] or app == "commissioning"
    assert len(found["exports"]) >= 5
    assert {"spending", "potential"} <= set(found["history"])
    assert found["subjects"] == SUBJECTS
    assert found["personal"] == list(apps)
    assert found["open_data"] == [
        "activities",
        "votes",
        "scorecards",
        "budgets",
        "outputs",
        "spending",
        "follow_ups",
    ]
    for app in apps:
        assert any(name.startswith(f"{app}.") for name in found["reminders"]), app
    assert found["demo"] == []
