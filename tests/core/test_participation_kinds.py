"""The registry of participation kinds: one stage per kind, registered once, by the app whose
services write it; and the system checks that hold the ledger to it."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

import assessment.services
import commissioning.models
import commissioning.services
import delivery.services
import designing.services
import rtkeren.services.activities
from rtkeren import checks
from rtkeren.models import Participation, Stage
from rtkeren.registry import ParticipationKinds, ParticipationSubjects, participation_kinds
from rtkeren.services.ledger import participation_record


def test_a_kind_registered_twice_fails_at_once():
    kinds = ParticipationKinds()
    kinds.register("vote_cast", stage=Stage.DESIGNING, label="Voted")

    with pytest.raises(ImproperlyConfigured, match="'vote_cast' is registered twice"):
        kinds.register("vote_cast", stage=Stage.DESIGNING, label="Voted again")

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        participation_kinds.register("vote_cast", stage=Stage.DESIGNING, label="Voted")
    assert participation_kinds.stage_of("vote_cast") == Stage.DESIGNING


def test_a_subject_registered_twice_fails_at_once():
    subjects = ParticipationSubjects()
    subjects.register(commissioning.models.Potential, field="title")

    with pytest.raises(ImproperlyConfigured, match="'commissioning.potential' is registered twice"):
        subjects.register(commissioning.models.Potential, field="title")


@pytest.mark.parametrize("stage", ["designing", "voting", None])
def test_a_kind_needs_a_stage(stage):
    kinds = ParticipationKinds()

    with pytest.raises(ImproperlyConfigured, match="is not a Stage"):
        kinds.register("vote_cast", stage=stage, label="Voted")

    assert "vote_cast" not in kinds


def test_an_unknown_kind_has_no_stage_and_shows_as_written():
    with pytest.raises(ImproperlyConfigured, match="'comment_posted' is not registered"):
        participation_kinds.stage_of("comment_posted")

    assert participation_kinds.label_of("comment_posted") == "comment_posted"
    assert str(participation_kinds.label_of("vote_cast")) == "Memberikan suara dalam pemilihan"


@pytest.mark.parametrize(
    ("module", "stage"),
    [
        (rtkeren.services.activities, Stage.DESIGNING),
        (commissioning.services, Stage.COMMISSIONING),
        (designing.services, Stage.DESIGNING),
        (delivery.services, Stage.DELIVERY),
        (assessment.services, Stage.ASSESSMENT),
    ],
)
def test_every_kind_the_services_write_is_registered_in_their_stage(module, stage):
    written = {value for name, value in vars(module).items() if name.startswith("KIND_")}

    assert written
    assert {kind: participation_kinds.stage_of(kind) for kind in written} == dict.fromkeys(
        written, stage
    )


def test_the_stage_check_names_a_kind_with_a_stage_that_is_not_one(monkeypatch):
    assert checks.check_participation_kind_stages() == []
    broken = ParticipationKinds()
    broken.register("vote_cast", stage=Stage.DESIGNING, label="Voted")
    # Past the check in ``register``, as a registry changed by hand would be.
    object.__setattr__(broken.get("vote_cast"), "stage", "voting")
    monkeypatch.setattr(checks, "participation_kinds", broken)

    errors = checks.check_participation_kind_stages()

    assert [(error.id, error.obj) for error in errors] == [("rtkeren.E101", "vote_cast")]


@pytest.mark.django_db
def test_the_database_check_names_the_kinds_no_app_registers(resident, rt, period):
    row = participation_record(resident=resident, kind="vote_cast", subject=rt)
    call_command("check", databases=["default"])
    for kind in ("forum_0", "comment_posted"):
        Participation.objects.create(
            resident=resident,
            stage=Stage.DESIGNING,
            kind=kind,
            content_type=row.content_type,
            object_id=row.object_id,
            period=row.period,
            rt=rt,
            kelurahan=rt.rw.kelurahan,
        )

    with pytest.raises(SystemCheckError) as raised:
        call_command("check", databases=["default"])

    assert "rtkeren.E102" in str(raised.value)
    assert "kinds no app registers: comment_posted, forum_0." in str(raised.value)
    # Without a database asked for, the check does not read it.
    call_command("check")
