"""The activity state machine: each allowed and each forbidden transition, and what it writes."""

import datetime

import pytest
from django.utils import timezone

from rtkeren.models import ActivityStatus, ActivityTransition, Notification, Participation, Stage
from rtkeren.services import activities as services
from rtkeren.transitions import (
    TRANSITIONS,
    TransitionError,
    TransitionForbidden,
    coordinator_checks,
    transition_guards,
)
from tests import factories

pytestmark = pytest.mark.django_db

S = ActivityStatus
PERSONAS = [
    "admin_user",
    "city_viewer",
    "officer",
    "facilitator",
    "rw_chair",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "community_lead",
    "resident_user",
    "outsider",
    "foreign_officer",
]
AUTHOR = "resident_user"
DELIVERERS = {"rt_chair", "officer"}

#: (from, to) -> who may make it. The author of every activity here is ``resident_user``.
ALLOWED = {
    (S.DRAFT, S.PROPOSED): {AUTHOR},
    (S.PROPOSED, S.DRAFT): {AUTHOR},
    (S.PROPOSED, S.APPROVED): {"officer"},
    (S.PROPOSED, S.REJECTED): {"officer"},
    (S.APPROVED, S.IN_DELIVERY): DELIVERERS,
    (S.IN_DELIVERY, S.DELIVERED): DELIVERERS,
    (S.DELIVERED, S.EVALUATED): {"officer"},
    (S.DRAFT, S.CANCELLED): {AUTHOR, "officer"},
    (S.PROPOSED, S.CANCELLED): {AUTHOR, "officer"},
    (S.APPROVED, S.CANCELLED): {"officer"},
    (S.IN_DELIVERY, S.CANCELLED): {"officer"},
}
REASON = "Anggaran RT tahun ini sudah habis untuk kegiatan lain."


def make_activity(*, status, author, rt, **fields):
    # A delivered activity here was delivered long enough ago for the evaluation window to close.
    changed = timezone.now() - datetime.timedelta(days=31)
    return factories.ActivityFactory(
        status=status, author=author, rt=rt, status_changed_at=changed, **fields
    )


def move(activity, to_status, by, reason=REASON):
    service = services.SERVICES[to_status]
    if TRANSITIONS[to_status].needs_reason:
        return service(activity=activity, by=by, reason=reason)
    return service(activity=activity, by=by)


@pytest.fixture
def register():
    """Register a guard or coordinator check for one test only."""
    added = []

    def add(registry, name, function):
        registry.register(name)(function)
        added.append((registry, name))

    yield add
    for registry, name in added:
        del registry.entries[name]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("from_status", "to_status"), list(ALLOWED))
def test_who_may_make_each_transition(request, rt, resident_user, persona, from_status, to_status):
    user = request.getfixturevalue(persona)
    activity = make_activity(status=from_status, author=resident_user, rt=rt)

    if persona in ALLOWED[(from_status, to_status)]:
        move(activity, to_status, user)
        activity.refresh_from_db()
        assert activity.status == to_status
        step = ActivityTransition.objects.get(activity=activity)
        assert (step.from_status, step.to_status, step.by) == (from_status, to_status, user)
    else:
        with pytest.raises(TransitionForbidden):
            move(activity, to_status, user)
        activity.refresh_from_db()
        assert activity.status == from_status
        assert not ActivityTransition.objects.filter(activity=activity).exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (current, target)
        for target, transition in TRANSITIONS.items()
        for current in S
        if current not in transition.sources
    ],
)
def test_no_transition_from_a_status_the_table_does_not_list(
    rt, resident_user, officer, from_status, to_status
):
    activity = make_activity(status=from_status, author=resident_user, rt=rt)

    with pytest.raises(TransitionError) as caught:
        move(activity, to_status, officer)

    assert caught.value.code == "status"
    activity.refresh_from_db()
    assert activity.status == from_status
    assert not ActivityTransition.objects.exists()


@pytest.mark.parametrize("final", [S.REJECTED, S.EVALUATED, S.CANCELLED])
def test_final_statuses_say_so(rt, resident_user, officer, final):
    activity = make_activity(status=final, author=resident_user, rt=rt)

    with pytest.raises(TransitionError, match="status akhir"):
        services.activity_cancel(activity=activity, by=officer, reason=REASON)


def test_officer_of_another_kelurahan_cannot_approve(
    foreign_rt, foreign_officer, officer, outsider
):
    activity = make_activity(status=S.PROPOSED, author=outsider, rt=foreign_rt)

    with pytest.raises(TransitionForbidden):
        services.activity_approve(activity=activity, by=officer)
    services.activity_approve(activity=activity, by=foreign_officer)
    assert activity.status == S.APPROVED


def test_chair_of_another_rt_cannot_start_delivery(rt, resident_user, other_rt_chair, rt_chair):
    activity = make_activity(status=S.APPROVED, author=resident_user, rt=rt)

    with pytest.raises(TransitionForbidden, match="tidak berwenang"):
        services.activity_start_delivery(activity=activity, by=other_rt_chair)
    services.activity_start_delivery(activity=activity, by=rt_chair)
    assert activity.status == S.IN_DELIVERY


def test_kelurahan_wide_activity_has_no_rt_chair_to_deliver_it(kelurahan, officer, rt_chair):
    activity = factories.ActivityFactory(status=S.APPROVED, rt=None, kelurahan=kelurahan)

    with pytest.raises(TransitionForbidden):
        services.activity_start_delivery(activity=activity, by=rt_chair)
    services.activity_start_delivery(activity=activity, by=officer)
    assert activity.status == S.IN_DELIVERY


@pytest.mark.parametrize(("to_status", "reason"), [(S.REJECTED, ""), (S.CANCELLED, "  \n ")])
def test_rejecting_or_cancelling_needs_a_reason(rt, resident_user, officer, to_status, reason):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    with pytest.raises(TransitionError, match="alasan"):
        move(activity, to_status, officer, reason=reason)

    activity.refresh_from_db()
    assert activity.status == S.PROPOSED
    assert activity.decision_reason == ""


def test_rejection_keeps_its_public_reason(rt, resident_user, officer):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    services.activity_reject(activity=activity, by=officer, reason=f"  {REASON} ")

    activity.refresh_from_db()
    assert activity.decision_reason == REASON
    assert activity.transitions.get().note == REASON


def test_withdraw_is_refused_once_content_is_frozen(rt, resident_user):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)
    services.activity_freeze_content(activity=activity)

    with pytest.raises(TransitionError, match="dikunci") as caught:
        services.activity_withdraw(activity=activity, by=resident_user)

    assert caught.value.code == "frozen"
    activity.refresh_from_db()
    assert activity.status == S.PROPOSED


def test_freezing_content_keeps_the_first_time(rt, resident_user):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    services.activity_freeze_content(activity=activity)
    first = activity.content_frozen_at
    services.activity_freeze_content(activity=activity)

    activity.refresh_from_db()
    assert first is not None
    assert activity.content_frozen_at == first


def test_a_registered_guard_blocks_approval(rt, resident_user, officer, register):
    seen = []

    def round_still_open(activity, to_status):
        seen.append((activity.pk, to_status))
        return "Putaran pemungutan suara yang memuat usulan ini masih dibuka."

    register(transition_guards, "test.open_round", round_still_open)
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    with pytest.raises(TransitionError, match="masih dibuka") as caught:
        services.activity_approve(activity=activity, by=officer)

    assert caught.value.code == "guard"
    assert seen == [(activity.pk, S.APPROVED)]
    activity.refresh_from_db()
    assert activity.status == S.PROPOSED


def test_a_guard_that_does_not_object_lets_it_pass(rt, resident_user, officer, register):
    register(transition_guards, "test.quiet", lambda activity, to_status: None)
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    services.activity_approve(activity=activity, by=officer)

    assert activity.status == S.APPROVED


def test_a_registered_coordinator_may_deliver(rt, resident_user, pokmas_member, register):
    register(coordinator_checks, "test.pokmas", lambda user, activity: user == pokmas_member)
    activity = make_activity(status=S.APPROVED, author=resident_user, rt=rt)

    services.activity_start_delivery(activity=activity, by=pokmas_member)
    services.activity_mark_delivered(activity=activity, by=pokmas_member)

    assert activity.status == S.DELIVERED
    with pytest.raises(TransitionForbidden):
        services.activity_mark_evaluated(activity=activity, by=pokmas_member)


def test_evaluated_only_after_the_evaluation_window_closes(rt, resident_user, officer, period):
    period.evaluation_window_days = 14
    period.save()
    activity = factories.ActivityFactory(
        status=S.DELIVERED,
        rt=rt,
        author=resident_user,
        period=period,
        status_changed_at=timezone.now() - datetime.timedelta(days=13),
    )

    with pytest.raises(TransitionError, match="Masa evaluasi") as caught:
        services.activity_mark_evaluated(activity=activity, by=officer)
    assert caught.value.code == "window"

    activity.status_changed_at = timezone.now() - datetime.timedelta(days=14, minutes=1)
    activity.save()
    services.activity_mark_evaluated(activity=activity, by=officer)
    assert activity.status == S.EVALUATED


def test_the_whole_journey_leaves_a_timeline(rt, resident_user, officer, rt_chair):
    activity = make_activity(status=S.DRAFT, author=resident_user, rt=rt)

    services.activity_propose(activity=activity, by=resident_user)
    services.activity_withdraw(activity=activity, by=resident_user)
    services.activity_propose(activity=activity, by=resident_user)
    services.activity_approve(activity=activity, by=officer)
    services.activity_start_delivery(activity=activity, by=rt_chair)
    services.activity_mark_delivered(activity=activity, by=rt_chair)

    steps = list(activity.transitions.values_list("from_status", "to_status", "by__username"))
    assert steps == [
        (S.DRAFT, S.PROPOSED, "warga"),
        (S.PROPOSED, S.DRAFT, "warga"),
        (S.DRAFT, S.PROPOSED, "warga"),
        (S.PROPOSED, S.APPROVED, "petugas"),
        (S.APPROVED, S.IN_DELIVERY, "ketua_rt"),
        (S.IN_DELIVERY, S.DELIVERED, "ketua_rt"),
    ]
    activity.refresh_from_db()
    last = activity.transitions.last()
    assert activity.status_changed_at == last.at
    assert activity.history.count() == 7  # created, then one version per transition


def test_proposing_records_the_authors_co_designing_once(rt, resident_user, resident):
    activity = make_activity(status=S.DRAFT, author=resident_user, rt=rt)

    services.activity_propose(activity=activity, by=resident_user)
    services.activity_withdraw(activity=activity, by=resident_user)
    services.activity_propose(activity=activity, by=resident_user)

    participation = Participation.objects.get()
    assert participation.resident == resident
    assert participation.stage == Stage.DESIGNING
    assert participation.kind == services.KIND_ACTIVITY_PROPOSED
    assert participation.subject == activity
    assert participation.activity == activity
    assert participation.period == activity.period
    assert (participation.rt, participation.kelurahan) == (rt, rt.rw.kelurahan)
    assert participation.recorded_by == resident_user


def test_an_author_without_a_resident_record_leaves_no_ledger_row(rt, other_rt_chair):
    activity = make_activity(status=S.DRAFT, author=other_rt_chair, rt=rt)

    services.activity_propose(activity=activity, by=other_rt_chair)

    assert activity.status == S.PROPOSED
    assert not Participation.objects.exists()


def test_other_transitions_write_no_ledger_rows(rt, resident_user, officer):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    services.activity_approve(activity=activity, by=officer)

    assert not Participation.objects.exists()


def test_proposal_notifies_the_kelurahan_officers(
    rt, resident_user, officer, foreign_officer, django_capture_on_commit_callbacks
):
    activity = make_activity(status=S.DRAFT, author=resident_user, rt=rt, title="Pentas hadrah")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.activity_propose(activity=activity, by=resident_user)

    # The notification, the officers' bells counted again, and the new scope versions of the
    # author's ledger row. (The public records' new version was asked for once in this
    # transaction already, by the factory.)
    assert len(callbacks) == 3
    notification = Notification.objects.get()
    assert notification.recipient == officer
    assert notification.message == (
        "Ada usulan kegiatan baru yang menunggu ditinjau: “Pentas hadrah”."
    )
    assert notification.url == f"/kegiatan/{activity.pk}/"
    assert notification.subject == activity


def test_approval_notifies_the_author_and_the_rt_chair(
    rt, resident_user, officer, rt_chair, other_rt_chair, django_capture_on_commit_callbacks
):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt, title="Kerja bakti")

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=activity, by=officer)

    sent = dict(Notification.objects.values_list("recipient__username", "message"))
    assert sent == {
        "warga": "“Kerja bakti” kini berstatus: Disetujui.",
        "ketua_rt": "“Kerja bakti” kini berstatus: Disetujui.",
    }


def test_rejection_tells_the_reason_in_each_recipients_language(
    rt, resident_user, officer, rt_chair, django_capture_on_commit_callbacks
):
    resident_user.language = "en"
    resident_user.save()
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt, title="Lomba")

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_reject(activity=activity, by=officer, reason=REASON)

    sent = dict(Notification.objects.values_list("recipient__username", "message"))
    assert sent == {
        "warga": f"“Lomba” is now: Rejected. Reason: {REASON}",
        "ketua_rt": f"“Lomba” kini berstatus: Ditolak. Alasan: {REASON}",
    }


def test_the_person_acting_is_not_notified_of_their_own_change(
    rt, rt_chair, django_capture_on_commit_callbacks
):
    activity = make_activity(status=S.APPROVED, author=rt_chair, rt=rt)

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_start_delivery(activity=activity, by=rt_chair)

    assert not Notification.objects.exists()


def test_a_refused_transition_sends_nothing(
    rt, resident_user, rt_chair, django_capture_on_commit_callbacks
):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionForbidden),
    ):
        services.activity_approve(activity=activity, by=rt_chair)

    assert callbacks == []
    assert not Notification.objects.exists()


def test_a_stale_second_approval_changes_nothing(
    rt, resident_user, officer, django_capture_on_commit_callbacks
):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)
    stale_copy = type(activity).objects.get(pk=activity.pk)

    with django_capture_on_commit_callbacks(execute=True):
        services.activity_approve(activity=activity, by=officer)
    activity.refresh_from_db()
    before = (activity.status, activity.status_changed_at, activity.updated_at)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(TransitionError, match="tidak terbaru") as caught,
    ):
        services.activity_reject(activity=stale_copy, by=officer, reason=REASON)

    assert caught.value.code == "status"
    activity.refresh_from_db()
    assert (activity.status, activity.status_changed_at, activity.updated_at) == before
    assert activity.decision_reason == ""
    assert activity.transitions.count() == 1
    assert Notification.objects.count() == 1  # the author, from the first approval only
    assert activity.history.count() == 2


def test_the_callers_instance_follows_the_change(rt, resident_user, officer):
    activity = make_activity(status=S.PROPOSED, author=resident_user, rt=rt)

    returned = services.activity_reject(activity=activity, by=officer, reason=REASON)

    assert activity.status == returned.status == S.REJECTED
    assert activity.decision_reason == REASON
    assert activity.is_final
