"""Every admin write path keeps the participation ledger equal to its recomputation: deleting a
record the ledger rows name (or a record that carries participation) takes its rows with it,
and the admin's change forms do not change what decides a row."""

import pytest
from django.contrib.contenttypes.fields import GenericRelation
from django.urls import reverse

from assessment.models import Evaluation, EvaluationRound, Side
from commissioning.models import Forum, Potential
from delivery.models import Meeting
from designing.models import Comment, VotingRound
from rtkeren.models import Activity, Participation, User
from rtkeren.services.ledger_sync import ledger_differences
from tests.conftest import demo_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="class")
def seeded(django_db_setup, django_db_blocker):
    yield from demo_loaded(django_db_blocker)


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


def _admin_url(obj, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])


def _form_data(response) -> dict:
    """What the admin's change form would send back unchanged."""
    data = {}

    def put(form, name):
        value = form[name].value()
        if value is None:
            return
        if isinstance(value, bool):
            if value:
                data[form.add_prefix(name)] = "on"
            return
        data[form.add_prefix(name)] = value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for each in formset.forms:
            for name in each.fields:
                put(each, name)
    return data


SUBJECTS = {
    "potential": lambda: Potential.objects.filter(
        endorsements__isnull=False, merged_duplicates__isnull=True
    ),
    "forum": lambda: Forum.objects.filter(attendances__resident__isnull=False),
    "meeting": lambda: Meeting.objects.filter(attendances__isnull=False),
    "voting round": lambda: VotingRound.objects.filter(votes__isnull=False),
    "evaluation round": lambda: EvaluationRound.objects.filter(attendances__isnull=False),
    # One without votes or spending, which protect it (see the tests below).
    "activity": lambda: Activity.objects.filter(
        participations__isnull=False, votes__isnull=True, spendings__isnull=True
    ),
    "evaluation": lambda: Evaluation.objects.filter(side=Side.COMMUNITY, resident__isnull=False),
}


class TestAdminDeletes:
    @pytest.mark.parametrize("subject", SUBJECTS)
    def test_deleting_a_record_in_the_admin_takes_its_ledger_rows(
        self, seeded, admin_client, subject
    ):
        record = SUBJECTS[subject]().distinct().first()
        assert record is not None
        assert ledger_differences().lines() == []

        confirmation = admin_client.get(_admin_url(record, "delete"))

        assert confirmation.status_code == 200
        assert not confirmation.context["perms_lacking"]
        assert not confirmation.context["protected"]
        response = admin_client.post(_admin_url(record, "delete"), {"post": "yes"})
        assert response.status_code == 302
        assert not type(record).objects.filter(pk=record.pk).exists()
        assert ledger_differences().lines() == []

    def test_a_proposal_that_holds_votes_is_not_deleted(self, seeded, admin_client):
        """Its votes, and the rows of the residents who cast them in the round, are the record
        of the round: the admin names them as protected and deletes nothing."""
        proposal = Activity.objects.filter(votes__isnull=False, spendings__isnull=True).first()
        votes = proposal.votes.count()

        confirmation = admin_client.get(_admin_url(proposal, "delete"))
        response = admin_client.post(_admin_url(proposal, "delete"), {"post": "yes"})

        assert confirmation.context["protected"]
        assert response.status_code == 200
        assert proposal.votes.count() == votes > 0
        assert ledger_differences().lines() == []

    def test_every_subject_of_the_ledger_declares_its_rows(self, seeded):
        subjects = {
            Participation.content_type.field.related_model.objects.get_for_id(pk).model_class()
            for pk in Participation.objects.values_list("content_type", flat=True).distinct()
        }

        assert len(subjects) >= 8
        assert [
            model.__name__
            for model in subjects
            if not any(
                isinstance(field, GenericRelation) and field.related_model is Participation
                for field in model._meta.private_fields
            )
        ] == []

    def test_a_comment_is_not_deleted_in_the_admin(self, seeded, admin_client):
        comment = Comment.objects.visible().first()

        response = admin_client.post(_admin_url(comment, "delete"), {"post": "yes"})

        assert response.status_code == 403
        assert Comment.objects.filter(pk=comment.pk).exists()
        assert ledger_differences().lines() == []


class TestAdminChanges:
    def test_a_comments_text_is_fixed_but_not_its_author_or_its_hiding(self, seeded, admin_client):
        comment = Comment.objects.visible().filter(author__resident__isnull=False).first()
        other = User.objects.exclude(pk=comment.author_id).filter(resident__isnull=False).first()
        page = admin_client.get(_admin_url(comment, "change"))
        data = _form_data(page) | {
            "body": "Teks yang dibetulkan.",
            "author": other.pk,
            "activity": Activity.objects.exclude(pk=comment.activity_id).first().pk,
            "hidden_at_0": "2025-01-01",
            "hidden_at_1": "10:00:00",
            "hidden_reason": "Spam",
        }

        response = admin_client.post(_admin_url(comment, "change"), data)

        assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.body == "Teks yang dibetulkan."
        assert comment.author_id != other.pk
        assert not comment.is_hidden
        assert ledger_differences().lines() == []

    def test_hiding_and_restoring_comments_in_the_admin_go_through_moderation(self, seeded, client):
        """The moderation services decide who may: an officer of the comments' kelurahan, given
        the admin."""
        officer = User.objects.get(username="petugas")
        User.objects.filter(pk=officer.pk).update(is_staff=True, is_superuser=True)
        client.force_login(officer)
        admin_client = client
        comments = list(Comment.objects.visible().filter(author__resident__isnull=False)[:3])
        changelist = reverse("admin:designing_comment_changelist")
        selected = [comment.pk for comment in comments]

        admin_client.post(changelist, {"action": "hide_comments", "_selected_action": selected})

        assert Comment.objects.filter(pk__in=selected, hidden_at__isnull=False).count() == 3
        assert ledger_differences().lines() == []

        admin_client.post(changelist, {"action": "restore_comments", "_selected_action": selected})

        assert Comment.objects.filter(pk__in=selected, hidden_at__isnull=True).count() == 3
        assert ledger_differences().lines() == []

    def test_an_evaluations_text_is_fixed_but_not_who_or_which_side(self, seeded, admin_client):
        evaluation = SUBJECTS["evaluation"]().first()
        was_on_behalf = evaluation.on_behalf
        page = admin_client.get(_admin_url(evaluation, "change"))
        data = (
            _form_data(page)
            | {
                "obstacles": "Hujan deras.",
                "side": Side.GOVERNMENT,
            }
            | ({} if was_on_behalf else {"on_behalf": "on"})
        )

        response = admin_client.post(_admin_url(evaluation, "change"), data)

        assert response.status_code == 302
        evaluation.refresh_from_db()
        assert evaluation.obstacles == "Hujan deras."
        assert (evaluation.side, evaluation.on_behalf) == (Side.COMMUNITY, was_on_behalf)
        assert ledger_differences().lines() == []

    def test_evaluations_and_comments_are_not_added_in_the_admin(self, seeded, admin_client):
        for model in ("assessment_evaluation", "designing_comment"):
            assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
