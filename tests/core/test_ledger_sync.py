"""The participation ledger recomputed from the stage records: ``ledger check`` and ``ledger
repair`` on the demo, on a deliberately broken ledger, and the admin pages that may not write
records the ledger stands for."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessment.models import EvaluationRound
from commissioning.models import Category, Forum, Potential
from commissioning.services import KIND_POTENTIAL_RECORDED, potential_record
from delivery.demo import RUNNING
from delivery.models import Implementer, Meeting
from designing.models import Comment, VotingRound
from designing.services import KIND_COMMENTED, comment_hide, comment_post, comment_restore
from rtkeren.models import Activity, BaseEntry, Participation, Period, User
from rtkeren.services.activities import activity_cancel
from rtkeren.services.ledger_sync import ledger_differences
from rtkeren.services.residents import resident_move
from tests.conftest import demo_loaded
from tests.designing import factories as designing_factories

pytestmark = pytest.mark.django_db


def _ledger(action: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("ledger", action, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def _break_the_ledger() -> dict:
    """One row deleted, one extra row, one row moved to another subject, one row redated."""
    deleted = Participation.objects.filter(kind="attended").first()
    deleted.delete()
    voted = Participation.objects.filter(kind="vote_cast").first()
    # A vote row for a round that holds no vote of this resident.
    extra = Participation.objects.create(
        resident=voted.resident,
        stage=voted.stage,
        kind="vote_cast",
        content_type=voted.content_type,
        object_id=VotingRound.objects.order_by("-pk").first().pk + 1000,
        period=voted.period,
        rt=voted.rt,
        kelurahan=voted.kelurahan,
    )
    endorsed = Participation.objects.filter(kind="potential_endorsed").first()
    elsewhere = Potential.objects.exclude(pk=endorsed.object_id).first()
    original_potential = endorsed.object_id
    endorsed.object_id = elsewhere.pk + 1000
    Participation.objects.filter(pk=endorsed.pk).update(object_id=endorsed.object_id)
    implemented = Participation.objects.filter(kind="implemented").first()
    Participation.objects.filter(pk=implemented.pk).update(
        occurred_on=implemented.occurred_on - datetime.timedelta(days=40)
    )
    return {
        "deleted": deleted,
        "extra": extra,
        "moved": (endorsed, original_potential),
        "redated": implemented,
    }


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    """The demo, per class here rather than per module: loaded for the module, it would stay
    in the database for the tests after the first one asking for it, which need a database
    without it (no period at all, no demo account in the way of the personas)."""
    yield from demo_loaded(django_db_blocker)


class TestOnTheDemo:
    def test_the_demo_ledger_and_base_equal_their_recomputation(self, seeded):
        assert Participation.objects.count() > 100
        assert BaseEntry.objects.count() > 100

        code, output = _ledger("check")

        assert (code, output.splitlines()) == (
            0,
            [
                "The ledger equals its recomputation.",
                "The scorecard base equals its recomputation.",
                "The proposals' fit equals its recomputation.",
            ],
        )

    def test_cancelling_an_activity_keeps_its_rows(self, seeded):
        """Residents took part before it was cancelled."""
        officer = User.objects.get(username="petugas")
        running = Activity.objects.get(title=RUNNING)
        before = Participation.objects.filter(activity=running).count()

        activity_cancel(activity=running, by=officer, reason="Tempat tidak tersedia")

        assert before > 0
        assert Participation.objects.filter(activity=running).count() == before
        assert ledger_differences().lines() == []

    def test_hiding_a_comment_takes_its_row_and_restoring_it_gives_it_back(self, seeded):
        officer = User.objects.get(username="petugas")
        # An author with a single comment on that proposal: hiding it leaves them none shown.
        written = Counter(Comment.objects.values_list("activity_id", "author_id"))
        comment = next(
            comment
            for comment in Comment.objects.visible().select_related("author__resident")
            if written[comment.activity_id, comment.author_id] == 1
            and hasattr(comment.author, "resident")
        )
        row = Participation.objects.filter(
            resident=comment.author.resident, kind=KIND_COMMENTED, object_id=comment.activity_id
        )
        assert row.exists()

        comment_hide(comment=comment, by=officer, reason="Di luar topik")

        assert not row.exists()
        assert ledger_differences().lines() == []

        comment_restore(comment=comment, by=officer)

        assert row.get().occurred_on == timezone.localdate(comment.created_at)
        assert ledger_differences().lines() == []

    def test_check_names_every_difference_and_repair_mends_them(self, seeded):
        broken = _break_the_ledger()

        code, output = _ledger("check")

        assert code == 1
        lines = output.splitlines()
        deleted = broken["deleted"]
        assert f"missing: resident={deleted.resident_id} kind=attended" in output
        assert f"subject=attendance#{deleted.object_id}" in output
        assert f"extra: resident={broken['extra'].resident_id} kind=vote_cast" in output
        endorsed, original = broken["moved"]
        moved_away = f"resident={endorsed.resident_id} kind=potential_endorsed subject=potential#"
        assert f"missing: {moved_away}{original} " in output
        assert f"extra: {moved_away}{endorsed.object_id} " in output
        redated = broken["redated"]
        assert any(
            line.startswith(f"changed: resident={redated.resident_id} kind=implemented")
            and f"occurred_on {redated.occurred_on - datetime.timedelta(days=40)}" in line
            for line in lines
        )
        assert lines[-1] == "2 missing, 2 extra, 1 changed rows differ."

        code, output = _ledger("repair")

        assert code == 0
        assert output.splitlines()[-1] == "2 missing, 2 extra, 1 changed rows repaired."
        assert _ledger("check")[0] == 0
        restored = Participation.objects.get(
            resident=deleted.resident_id,
            kind="attended",
            object_id=deleted.object_id,
            content_type=deleted.content_type,
        )
        assert (
            restored.occurred_on,
            restored.period,
            restored.activity_id,
            restored.on_behalf,
        ) == (
            deleted.occurred_on,
            deleted.period,
            deleted.activity_id,
            deleted.on_behalf,
        )
        assert not Participation.objects.filter(pk=broken["extra"].pk).exists()
        assert Participation.objects.get(pk=redated.pk).occurred_on == redated.occurred_on

    def test_repair_with_nothing_to_mend_says_so(self, seeded):
        code, output = _ledger("repair")

        assert code == 0
        assert "Nothing to repair" in output

    @pytest.mark.parametrize(
        ("model", "inline_prefix"),
        [
            (Potential, "endorsements"),
            (Forum, "attendances"),
            (Meeting, "attendances"),
            (EvaluationRound, "attendances"),
        ],
    )
    def test_admin_inlines_of_participation_records_are_read_only(
        self, seeded, client, model, inline_prefix
    ):
        client.force_login(User.objects.get(username="admin"))
        record = model.objects.filter(**{f"{inline_prefix}__isnull": False}).first()
        opts = model._meta

        response = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        )

        assert response.status_code == 200
        page = response.content.decode()
        assert f'name="{inline_prefix}-TOTAL_FORMS"' in page
        assert f'name="{inline_prefix}-0-resident"' not in page
        assert f'name="{inline_prefix}-0-DELETE"' not in page
        assert f"{inline_prefix}-empty" not in page

    def test_implementers_are_not_written_in_the_admin(self, seeded, client):
        client.force_login(User.objects.get(username="admin"))
        implementer = Implementer.objects.first()

        assert client.get(reverse("admin:delivery_implementer_add")).status_code == 403
        change = client.get(reverse("admin:delivery_implementer_change", args=[implementer.pk]))
        assert 'name="resident"' not in change.content.decode()
        client.post(
            reverse("admin:delivery_implementer_delete", args=[implementer.pk]), {"post": "yes"}
        )
        assert Implementer.objects.filter(pk=implementer.pk).exists()


def test_a_potential_recorded_while_no_period_exists_is_expected_without_one(resident_user, rt):
    """Regression: the recomputation failed on a row the ledger keeps without a period."""
    assert not Period.objects.exists()
    potential = potential_record(
        by=resident_user,
        place=rt,
        title="Sanggar tari",
        category=Category.ARTS,
        description="Latihan tiap Minggu sore.",
    )

    row = Participation.objects.get(kind=KIND_POTENTIAL_RECORDED, object_id=potential.pk)
    assert row.period is None
    assert ledger_differences().lines() == []


def test_what_an_account_writes_after_its_entry_left_counts_for_nobody(
    resident_user, resident, rt, officer, period
):
    """A comment counts for the resident the account acts as at that moment, kept on the
    comment; after the entry moved out of the city the account acts as nobody (the author of a
    proposal still answers in its discussion), and the recomputation agrees: it used to count
    the entry still linked to the account."""
    proposal = designing_factories.proposal(
        rt=rt, kelurahan=rt.rw.kelurahan, period=period, author=resident_user
    )
    resident_move(
        by=officer, resident=resident, happened_on=timezone.localdate(), note="Pindah ke Malang"
    )
    resident_user = User.objects.get(pk=resident_user.pk)

    comment = comment_post(activity=proposal, by=resident_user, body="Saya tetap mendukung.")

    assert comment.resident is None
    assert not Participation.objects.filter(resident=resident, kind=KIND_COMMENTED).exists()
    assert ledger_differences().lines() == []


def test_commenting_and_proposing_name_the_resident_they_count_for(
    resident_user, resident, rt, period
):
    proposal = designing_factories.proposal(rt=rt, kelurahan=rt.rw.kelurahan, period=period)

    comment = comment_post(activity=proposal, by=resident_user, body="Setuju, mari dukung.")

    assert comment.resident == resident
    assert Participation.objects.filter(resident=resident, kind=KIND_COMMENTED).count() == 1
    assert ledger_differences().lines() == []
