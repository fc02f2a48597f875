"""Evaluating an activity: the sides, the ledger, the window, and bad input refused whole."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import selectors, services
from assessment.models import Criterion, Evaluation, Score, Side
from rtkeren.models import ActivityStatus, Notification, Participation, Stage
from rtkeren.services.activities import activity_mark_delivered
from rtkeren.transitions import transition_guards
from tests import factories as core

from .factories import EvaluationFactory, all_scores, delivered_activity, score_data, take_part

pytestmark = pytest.mark.django_db


def _assessment_rows():
    return Participation.objects.filter(stage=Stage.ASSESSMENT)


def test_the_five_criteria_are_seeded():
    assert list(Criterion.objects.active().values_list("code", flat=True)) == [
        "manfaat",
        "minat-bakat",
        "kualitas-pelaksanaan",
        "luaran-produk",
        "komunikasi-pengurus",
    ]


def test_a_participant_evaluates_from_the_community_side_and_it_counts(participant, activity):
    evaluation = services.evaluation_submit(
        activity=activity,
        by=participant,
        scores=all_scores(4),
        obstacles="  Kain habis di pertemuan ketiga. ",
        suggestions="Beli bahan di awal.",
    )

    assert evaluation.side == Side.COMMUNITY
    assert evaluation.resident == participant.resident
    assert evaluation.obstacles == "Kain habis di pertemuan ketiga."
    assert sorted(evaluation.scores.values_list("value", flat=True)) == [4] * 5
    row = _assessment_rows().get()
    assert (row.resident, row.activity, row.on_behalf) == (participant.resident, activity, False)
    assert row.period == activity.period


@pytest.mark.parametrize("persona", ["officer", "facilitator"])
def test_the_government_side_evaluates_without_counting_as_participation(
    request, persona, activity
):
    user = request.getfixturevalue(persona)
    evaluation = services.evaluation_submit(activity=activity, by=user, scores=all_scores(2))

    assert evaluation.side == Side.GOVERNMENT
    assert evaluation.resident is None
    assert not _assessment_rows().exists()


@pytest.mark.parametrize("persona", ["rt_chair", "rw_chair", "pokmas_member", "community_lead"])
def test_chairs_pokmas_and_community_leads_evaluate_from_the_community_side(
    request, persona, activity
):
    user = request.getfixturevalue(persona)
    evaluation = services.evaluation_submit(activity=activity, by=user, scores=all_scores(5))

    assert evaluation.side == Side.COMMUNITY
    # The RT chair is a resident of the register too: their evaluation counts for them.
    assert _assessment_rows().count() == (1 if persona == "rt_chair" else 0)


def test_a_participant_who_is_also_an_officer_evaluates_for_the_government(officer, activity, rt):
    resident = core.ResidentFactory(rt=rt, user=officer)
    take_part(resident, activity)

    evaluation = services.evaluation_submit(activity=activity, by=officer, scores=all_scores(3))

    assert evaluation.side == Side.GOVERNMENT
    assert not _assessment_rows().exists()


def test_a_resident_who_did_not_take_part_cannot_evaluate(neighbour, activity):
    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(activity=activity, by=neighbour, scores=all_scores(4))

    assert "Hanya warga yang hadir atau melaksanakan" in error.value.messages[0]
    assert not Evaluation.objects.exists()


def test_a_second_evaluation_is_refused(participant, activity):
    services.evaluation_submit(activity=activity, by=participant, scores=all_scores(4))

    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(activity=activity, by=participant, scores=all_scores(1))

    assert "Anda sudah menilai kegiatan ini" in error.value.messages[0]
    assert set(Score.objects.values_list("value", flat=True)) == {4}
    assert _assessment_rows().count() == 1


def test_the_database_holds_one_evaluation_per_person(participant, activity):
    from django.db import IntegrityError, transaction

    Evaluation.objects.create(
        activity=activity, side=Side.COMMUNITY, evaluator=participant, recorded_by=participant
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(
            activity=activity, side=Side.COMMUNITY, evaluator=participant, recorded_by=participant
        )


@pytest.mark.parametrize("value", [0, 6, None, "4"])
def test_a_score_outside_one_to_five_is_refused(participant, activity, value):
    scores = all_scores(4)
    scores[next(iter(scores))] = value

    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(activity=activity, by=participant, scores=scores)

    assert error.value.messages == ["Beri setiap kriteria nilai dari 1 sampai 5."]
    assert not Evaluation.objects.exists()


def test_the_database_refuses_a_score_of_six(participant, activity):
    from django.db import IntegrityError, transaction

    evaluation = Evaluation.objects.create(
        activity=activity, side=Side.COMMUNITY, evaluator=participant, recorded_by=participant
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(evaluation=evaluation, criterion=Criterion.objects.first(), value=6)


def test_no_evaluation_after_the_window_closes(resident_user, closed_activity):
    take_part(resident_user.resident, closed_activity)

    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(activity=closed_activity, by=resident_user, scores=all_scores(4))

    assert "Masa penilaian kegiatan ini berakhir" in error.value.messages[0]
    assert not Evaluation.objects.exists()


def test_an_activity_not_yet_delivered_cannot_be_evaluated(resident_user, rt, period):
    activity = core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    take_part(resident_user.resident, activity)

    with pytest.raises(ValidationError):
        services.evaluation_submit(activity=activity, by=resident_user, scores=all_scores(4))


def test_the_own_evaluation_changes_while_the_window_is_open(participant, activity):
    evaluation = services.evaluation_submit(activity=activity, by=participant, scores=all_scores(4))

    services.evaluation_update(
        evaluation=evaluation, by=participant, scores=all_scores(2), suggestions="Lebih sering."
    )

    evaluation.refresh_from_db()
    assert evaluation.suggestions == "Lebih sering."
    assert set(evaluation.scores.values_list("value", flat=True)) == {2}


def test_someone_else_cannot_change_an_evaluation(participant, rt_chair, activity):
    evaluation = services.evaluation_submit(activity=activity, by=participant, scores=all_scores(4))

    with pytest.raises(PermissionDenied):
        services.evaluation_update(evaluation=evaluation, by=rt_chair, scores=all_scores(1))
    assert set(evaluation.scores.values_list("value", flat=True)) == {4}


def test_an_evaluation_recorded_on_behalf_says_so(rt_chair, activity, offline_resident):
    evaluation = services.evaluation_record_on_behalf(
        activity=activity, by=rt_chair, resident=offline_resident, scores=all_scores(3)
    )

    assert (evaluation.on_behalf, evaluation.evaluator, evaluation.recorded_by) == (
        True,
        None,
        rt_chair,
    )
    row = _assessment_rows().get(resident=offline_resident)
    assert row.on_behalf is True
    assert row.recorded_by == rt_chair


def test_on_behalf_only_for_participants(rt_chair, activity, rt):
    stranger = core.ResidentFactory(rt=rt)

    with pytest.raises(ValidationError) as error:
        services.evaluation_record_on_behalf(
            activity=activity, by=rt_chair, resident=stranger, scores=all_scores(3)
        )

    assert "tidak hadir atau melaksanakan" in error.value.messages[0]
    assert not Evaluation.objects.exists()


def test_on_behalf_of_a_resident_who_evaluated_is_a_second_evaluation(
    rt_chair, participant, activity
):
    services.evaluation_submit(activity=activity, by=participant, scores=all_scores(4))

    with pytest.raises(ValidationError) as error:
        services.evaluation_record_on_behalf(
            activity=activity, by=rt_chair, resident=participant.resident, scores=all_scores(1)
        )

    assert "sudah menilai" in error.value.messages[0]
    assert Evaluation.objects.count() == 1


def test_residents_cannot_record_on_behalf(participant, activity, offline_resident):
    with pytest.raises(PermissionDenied):
        services.evaluation_record_on_behalf(
            activity=activity, by=participant, resident=offline_resident, scores=all_scores(3)
        )


def test_delivery_asks_participants_and_government_to_evaluate(
    rt,
    period,
    rt_chair,
    officer,
    facilitator,
    resident_user,
    neighbour,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    # What the delivery stage requires before delivery is not the question here.
    monkeypatch.setattr(transition_guards, "entries", {})
    activity = core.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.IN_DELIVERY, title="Pelatihan batik"
    )
    take_part(resident_user.resident, activity)
    take_part(core.ResidentFactory(rt=rt), activity, kind="implemented")

    with django_capture_on_commit_callbacks(execute=True):
        activity_mark_delivered(activity=activity, by=rt_chair)

    asked = Notification.objects.filter(message__contains="Silakan menilai")
    assert set(asked.values_list("recipient__username", flat=True)) == {
        "warga",
        "petugas",
        "pendamping",
    }
    assert asked.first().url == reverse("assessment:evaluation-summary", args=[activity.pk])


# Through the pages.


def test_a_participant_evaluates_through_the_form(client, participant, activity):
    client.force_login(participant)
    url = reverse("assessment:evaluation-edit", args=[activity.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, score_data(5, obstacles="Tempat sempit."))

    assert response.status_code == 302
    assert Evaluation.objects.get().obstacles == "Tempat sempit."
    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk]))
    assert "Ubah penilaian saya" in page.content.decode()


@pytest.mark.parametrize("value", ["0", "6", "x", ""])
def test_the_form_refuses_a_bad_score_with_a_message(client, participant, activity, value):
    client.force_login(participant)

    response = client.post(
        reverse("assessment:evaluation-edit", args=[activity.pk]), score_data(value)
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nilai adalah bilangan bulat dari 1 sampai 5." in content or (
        "Pilih nilai dari 1 sampai 5." in content
    )
    assert not Evaluation.objects.exists()


def test_the_form_after_the_window_says_why(client, resident_user, closed_activity):
    take_part(resident_user.resident, closed_activity)
    client.force_login(resident_user)

    response = client.post(
        reverse("assessment:evaluation-edit", args=[closed_activity.pk]), score_data(4)
    )

    assert response.status_code == 403
    assert "Masa penilaian kegiatan ini berakhir" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_form_for_a_non_participant_says_why(client, neighbour, activity):
    client.force_login(neighbour)

    response = client.post(reverse("assessment:evaluation-edit", args=[activity.pk]), score_data(4))

    assert response.status_code == 403
    assert "Hanya warga yang hadir atau melaksanakan" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_resident_sees_an_evaluation_recorded_on_their_behalf(
    client, rt_chair, participant, activity
):
    services.evaluation_record_on_behalf(
        activity=activity, by=rt_chair, resident=participant.resident, scores=all_scores(3)
    )
    client.force_login(participant)

    response = client.get(reverse("assessment:evaluation-edit", args=[activity.pk]))

    assert response.status_code == 403
    assert "dicatat atas nama Anda" in response.content.decode()


def test_a_chair_records_and_changes_on_behalf_through_the_pages(
    client, rt_chair, activity, offline_resident
):
    client.force_login(rt_chair)
    url = reverse("assessment:evaluation-record", args=[activity.pk])

    response = client.post(url, score_data(2, resident=offline_resident.pk, obstacles="Jauh."))
    assert response.status_code == 302
    evaluation = Evaluation.objects.get(resident=offline_resident)
    assert "Mbah Sarinah" in client.get(url).content.decode()

    update = reverse("assessment:evaluation-update", args=[evaluation.pk])
    assert client.post(update, score_data(5, obstacles="Jauh sekali.")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.obstacles == "Jauh sekali."
    assert set(evaluation.scores.values_list("value", flat=True)) == {5}


# An account that claimed a participant's register entry is nobody until the RT chair confirms it.


@pytest.fixture
def claimant(rt, activity):
    """An account that claimed, unconfirmed, the entry of a resident who attended the activity."""
    user, entry = core.make_claimant(rt)
    take_part(entry, activity)
    return user


def test_a_claimant_cannot_evaluate_as_the_entry(claimant, activity):
    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(activity=activity, by=claimant, scores=all_scores(4))

    assert "Hanya warga yang hadir atau melaksanakan" in error.value.messages[0]
    assert not Evaluation.objects.exists()
    assert not _assessment_rows().exists()


def test_a_claimant_is_not_shown_the_entrys_evaluation(claimant, rt_chair, activity):
    from assessment import selectors

    services.evaluation_record_on_behalf(
        activity=activity, by=rt_chair, resident=claimant.resident, scores=all_scores(3)
    )

    assert selectors.own_evaluation(user=claimant, activity=activity) is None
    listed = selectors.evaluation_activities(user=claimant).rows()
    assert not [activity for activity in listed if activity.evaluated_by_me]


def test_delivery_does_not_ask_a_claimant_to_evaluate(
    rt, period, rt_chair, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(transition_guards, "entries", {})
    activity = core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    claimant, entry = core.make_claimant(rt)
    take_part(entry, activity)

    with django_capture_on_commit_callbacks(execute=True):
        activity_mark_delivered(activity=activity, by=rt_chair)

    assert not Notification.objects.filter(recipient=claimant, message__contains="Silakan menilai")


def test_the_form_answers_a_claimant_as_a_waiting_registrant(client, claimant, activity, rt):
    registrant = core.make_registrant(rt, "pendaftar_baru", like=claimant.resident)
    take_part(registrant.resident, activity)
    answers = {}
    for user in (claimant, registrant):
        client.force_login(user)
        answers[user] = [
            core.page_as_anyone(client.get(reverse(name, args=[activity.pk])), user)
            for name in ("assessment:evaluation-edit", "assessment:evaluation-summary")
        ] + [
            core.page_as_anyone(
                client.post(
                    reverse("assessment:evaluation-edit", args=[activity.pk]), score_data(4)
                ),
                user,
            )
        ]

    assert answers[claimant] == answers[registrant]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    "persona",
    ["officer", "facilitator", "rt_chair", "other_rt_chair", "resident_user", "city_viewer"],
)
def test_the_home_reminder_counts_the_activities_the_to_do_list_shows(
    request, persona, rt, other_rt, period, officer
):
    """The home page counts with a lighter query than the list's; both must agree for every
    role, before and after the person evaluates, and leave out a window that has closed."""
    from assessment.attention import evaluations_waiting
    from rtkeren.registry import with_counts

    user = request.getfixturevalue(persona)
    here = delivered_activity(by=officer, rt=rt, period=period)
    delivered_activity(by=officer, rt=other_rt, period=period)
    delivered_activity(by=officer, rt=rt, period=period, days_ago=400)
    if persona == "resident_user":
        take_part(user.resident, here)

    def counts():
        return (
            with_counts(evaluations_waiting(user))[0].count,
            len(selectors.evaluation_activities(user=user, to_do=True).rows()),
        )

    before = counts()
    if before[1]:
        services.evaluation_submit(
            activity=selectors.evaluation_activities(user=user, to_do=True).rows()[0],
            by=user,
            scores=all_scores(4),
        )
    after = counts()

    assert before[0] == before[1]
    assert after[0] == after[1] == max(before[1] - 1, 0)
    assert (
        before[1]
        == {
            "officer": 2,
            "facilitator": 2,
            "rt_chair": 1,
            "other_rt_chair": 1,
            "resident_user": 1,
            "city_viewer": 0,
        }[persona]
    )


def test_a_resident_who_may_not_evaluate_is_told_why_and_until_when(client, neighbour, activity):
    client.force_login(neighbour)

    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk])).text

    assert "Hanya warga yang hadir atau melaksanakan kegiatan ini yang dapat menilai" in page
    assert "mintalah panitia menambahkan Anda" in page
    assert reverse("assessment:evaluation-edit", args=[activity.pk]) not in page


def test_a_participant_gets_the_button_and_no_refusal(client, participant, activity):
    client.force_login(participant)

    page = client.get(reverse("assessment:evaluation-summary", args=[activity.pk])).text

    assert reverse("assessment:evaluation-edit", args=[activity.pk]) in page
    assert "yang dapat menilai" not in page


def test_the_comments_name_people_to_officers_alone_in_the_same_queries(
    client, officer, participant, rt_chair, offline_resident, activity
):
    """The comments read only the names they show: the names of an evaluator, of a resident
    evaluated on behalf and of who recorded it reach the officer and no resident, and more
    comments read nothing more (a name left out of the query would be read row by row)."""
    EvaluationFactory(
        activity=activity, side=Side.GOVERNMENT, evaluator=officer, obstacles="Hujan deras."
    )
    url = reverse("assessment:evaluation-summary", args=[activity.pk])
    client.force_login(officer)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    EvaluationFactory(
        activity=activity,
        evaluator=None,
        resident=offline_resident,
        on_behalf=True,
        recorded_by=rt_chair,
        suggestions="Pelatih tetap.",
    )
    EvaluationFactory(activity=activity, side=Side.COMMUNITY, evaluator=participant)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url).text

    assert len(three) == len(one)
    assert "Hujan deras." in page
    assert "Pelatih tetap." in page
    assert str(officer) in page
    assert offline_resident.name in page
    assert str(rt_chair) in page  # who recorded it on the resident's behalf

    client.force_login(participant)
    page = client.get(url).text
    assert "Hujan deras." in page
    assert str(officer) not in page
    assert offline_resident.name not in page
