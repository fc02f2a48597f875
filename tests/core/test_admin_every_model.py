"""Every model of the portal has an admin page, and the pages added for the records written
elsewhere (by a service, or on their parent's page) only read, in a constant number of
queries."""

import datetime
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from assessment.models import ForumAttendance, FrozenScorecard
from commissioning.models import Element, InvitedElement
from designing.models import ProposalFit
from rtkeren.models import (
    ActivityShare,
    ActivityStatus,
    ActivityTransition,
    BaseEntry,
    CommunityMembership,
    Consent,
    DeletionRequest,
    DeliveryReport,
    ImportJob,
    NotificationPreference,
    OfflineSubmission,
    OutboundMessage,
    PokmasMembership,
    ReminderSent,
    ResidentInterest,
    RtCeiling,
)
from tests import factories
from tests.assessment import factories as assessment_factories
from tests.commissioning import factories as commissioning_factories
from tests.delivery import factories as delivery_factories

pytestmark = pytest.mark.django_db

APPS = ("rtkeren", "commissioning", "designing", "delivery", "assessment")
#: Models left out of the admin on purpose, with the reason.
WITHOUT_ADMIN = {
    # The ballot is secret: only counts are ever shown (on the voting round's page), and a list
    # of votes beside the participation ledger would say who voted for what.
    "designing.Vote",
}


def test_every_model_has_an_admin_page():
    missing = [
        model._meta.label
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        # django-simple-history's tables are read on their record's history pages.
        if not model.__name__.startswith("Historical")
        and model._meta.label not in WITHOUT_ADMIN
        and not admin.site.is_registered(model)
    ]

    assert missing == []


def test_a_model_left_out_is_still_a_model_and_still_left_out():
    for label in WITHOUT_ADMIN:
        assert not admin.site.is_registered(apps.get_model(label))


# One row of each model whose admin page only reads, each with related records of its own, so
# that a page reading them row by row would show in its query count.


def _resident(**fields):
    return factories.ResidentFactory(rt=factories.RTFactory(), **fields)


def _resident_interest():
    return ResidentInterest.objects.create(
        resident=_resident(), interest=factories.InterestFactory()
    )


def _community_membership():
    resident = _resident()
    return CommunityMembership.objects.create(
        community=factories.CommunityFactory(kelurahan=resident.rt.rw.kelurahan),
        resident=resident,
    )


def _pokmas_membership():
    resident = _resident()
    return PokmasMembership.objects.create(
        pokmas=factories.PokmasFactory(rt=resident.rt), resident=resident
    )


def _rt_ceiling():
    return RtCeiling.objects.create(
        period=factories.PeriodFactory(), rt=factories.RTFactory(), ceiling=60_000_000
    )


def _budget_line():
    return factories.BudgetLineFactory()


def _activity_share():
    rt = factories.RTFactory()
    activity = factories.ActivityFactory(rt=None, kelurahan=rt.rw.kelurahan)
    return ActivityShare.objects.create(activity=activity, rt=rt, amount=1_000_000)


def _activity_transition():
    return ActivityTransition.objects.create(
        activity=factories.ActivityFactory(),
        from_status=ActivityStatus.DRAFT,
        to_status=ActivityStatus.PROPOSED,
        by=factories.UserFactory(),
    )


def _base_entry():
    period = factories.PeriodFactory()
    resident = _resident()
    entry, _created = BaseEntry.objects.get_or_create(
        period=period,
        resident=resident,
        rt=resident.rt,
        defaults={"kelurahan": resident.rt.rw.kelurahan, "since": period.starts_on},
    )
    return entry


def _import_job():
    return ImportJob.objects.create(
        officer=factories.UserFactory(),
        kelurahan=factories.RTFactory().rw.kelurahan,
        file_name="warga.csv",
        file_format=ImportJob.Format.CSV,
        content=b"nik,nama\n3572024708850001,Rahasia\n",
        content_sha256="0" * 64,
        plan={"rows": [{"nik": "3572024708850001", "name": "Rahasia"}]},
        fingerprint="f" * 64,
    )


def _consent():
    return Consent.objects.create(
        resident=_resident(),
        purpose=Consent.Purpose.PHONE,
        text=Consent.TEXTS[Consent.Purpose.PHONE],
        recorded_by=factories.UserFactory(),
    )


def _deletion_request():
    return DeletionRequest.objects.create(resident=_resident(), reason="Pindah kota.")


def _endorsement():
    potential = commissioning_factories.PotentialFactory()
    return commissioning_factories.EndorsementFactory(
        potential=potential, resident=factories.ResidentFactory(rt=potential.rt)
    )


def _forum_attendance():
    return commissioning_factories.AttendanceFactory()


def _invited_element():
    return InvitedElement.objects.create(
        forum=commissioning_factories.ForumFactory(invited=[]), element=Element.PKK
    )


def _priority_item():
    return commissioning_factories.PriorityItemFactory(
        potential=commissioning_factories.PotentialFactory()
    )


def _proposal_fit():
    fit, _created = ProposalFit.objects.update_or_create(
        activity=factories.ActivityFactory(status=ActivityStatus.PROPOSED),
        defaults={"residents": 3, "computed_on": timezone.localdate()},
    )
    return fit


def _meeting_attendance():
    meeting = delivery_factories.MeetingFactory()
    return delivery_factories.AttendanceFactory(
        meeting=meeting, resident=factories.ResidentFactory(rt=meeting.activity.rt)
    )


def _meeting_photo():
    return delivery_factories.PhotoFactory(caption="Latihan pertama")


def _score():
    evaluation = assessment_factories.EvaluationFactory(
        activity=factories.ActivityFactory(status=ActivityStatus.DELIVERED)
    )
    return evaluation.scores.first()


def _evaluation_forum_attendance():
    round_ = assessment_factories.EvaluationRoundFactory(kelurahan=factories.kelurahan())
    return ForumAttendance.objects.create(
        round=round_,
        resident=_resident(),
        recorded_by=factories.UserFactory(),
    )


def _frozen_scorecard():
    rt = factories.RTFactory()
    figures = dict.fromkeys(
        [
            "base",
            "commissioning",
            "commissioning_own",
            "designing",
            "designing_own",
            "delivery",
            "delivery_own",
            "assessment",
            "assessment_own",
            "community_evaluations",
            "community_on_behalf_evaluations",
            "government_evaluations",
        ],
        0,
    )
    thresholds = dict.fromkeys(
        [
            "threshold_commissioning",
            "threshold_designing",
            "threshold_delivery",
            "threshold_assessment",
        ],
        10,
    )
    return FrozenScorecard.objects.create(
        period=factories.PeriodFactory(),
        rt=rt,
        definition="test",
        frozen_at=timezone.now() - datetime.timedelta(days=1),
        **figures,
        **thresholds,
    )


def _notification_preference():
    return NotificationPreference.objects.create(
        user=factories.UserFactory(), channel="whatsapp", kind="forum", enabled=True
    )


def _outbound_message():
    return OutboundMessage.objects.create(
        user=factories.UserFactory(),
        channel="sms",
        kind="meeting",
        address="+6281234567890",
        text="RT Keren: pertemuan besok.",
    )


def _delivery_report():
    message = _outbound_message()
    return DeliveryReport.objects.create(
        message=message, channel="whatsapp", provider_id="wamid.uji", status="delivered"
    )


def _reminder_sent():
    return ReminderSent.objects.create(user=factories.UserFactory(), key="forum-day-before:1")


def _offline_submission():
    meeting = delivery_factories.MeetingFactory()
    return OfflineSubmission.objects.create(
        key=uuid.uuid4(),
        user=factories.UserFactory(),
        kind="meeting_attendance",
        content_type=ContentType.objects.get_for_model(meeting),
        object_id=meeting.pk,
        payload_hash="0" * 64,
        outcome="applied",
        message="Daftar hadir disimpan: 5 ditambahkan, 0 dihapus.",
    )


# model label -> (maker, the changelist's queries for the administrator). Every list reads the
# session, the user, its page of rows (with the records named in its columns) and its count
# twice (as filtered and in all); then the choices of each filter by a related record, one query
# each, and the date drill-down in two (the range of dates, then the dates within it).
READ_ONLY_PAGES = {
    "rtkeren.ResidentInterest": (_resident_interest, 6),
    "rtkeren.CommunityMembership": (_community_membership, 6),
    "rtkeren.PokmasMembership": (_pokmas_membership, 6),
    "rtkeren.RtCeiling": (_rt_ceiling, 7),
    "rtkeren.BudgetLine": (_budget_line, 5),
    "rtkeren.ActivityShare": (_activity_share, 6),
    "rtkeren.ActivityTransition": (_activity_transition, 7),
    "rtkeren.BaseEntry": (_base_entry, 7),
    "rtkeren.ImportJob": (_import_job, 8),
    "rtkeren.Consent": (_consent, 7),
    "rtkeren.DeletionRequest": (_deletion_request, 7),
    "rtkeren.NotificationPreference": (_notification_preference, 5),
    "rtkeren.OutboundMessage": (_outbound_message, 7),
    # Its status filter reads the distinct statuses reported: one query more.
    "rtkeren.DeliveryReport": (_delivery_report, 8),
    "rtkeren.ReminderSent": (_reminder_sent, 7),
    # Its kind filter reads the distinct kinds sent: one query more.
    "rtkeren.OfflineSubmission": (_offline_submission, 8),
    "commissioning.Endorsement": (_endorsement, 8),
    "commissioning.Attendance": (_forum_attendance, 8),
    "commissioning.InvitedElement": (_invited_element, 6),
    "commissioning.PriorityItem": (_priority_item, 6),
    "designing.ProposalFit": (_proposal_fit, 5),
    "delivery.Attendance": (_meeting_attendance, 8),
    "delivery.MeetingPhoto": (_meeting_photo, 7),
    "assessment.Score": (_score, 6),
    "assessment.ForumAttendance": (_evaluation_forum_attendance, 8),
    "assessment.FrozenScorecard": (_frozen_scorecard, 7),
}


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("label", READ_ONLY_PAGES)
def test_the_page_reads_and_never_writes(client, admin_user, label):
    maker, _queries = READ_ONLY_PAGES[label]
    record = maker()
    model = type(record)
    client.force_login(admin_user)

    listing = client.get(_url(model, "changelist"))
    page = client.get(_url(model, "change", record.pk))

    assert listing.status_code == 200
    assert record in listing.context["cl"].result_list
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert _url(model, "delete", record.pk) not in page.text
    assert "delete_selected" not in listing.text
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("label", READ_ONLY_PAGES)
def test_the_list_reads_the_same_queries_for_one_row_and_many(
    client, admin_user, label, django_assert_num_queries
):
    maker, queries = READ_ONLY_PAGES[label]
    model = type(maker())
    url = _url(model, "changelist")
    client.force_login(admin_user)
    client.get(url)

    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    for _ in range(5):
        maker()
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.context["cl"].result_count == model.objects.count() > 5


def test_an_import_shows_neither_its_file_nor_its_rows(client, admin_user):
    job = _import_job()
    client.force_login(admin_user)

    page = client.get(_url(ImportJob, "change", job.pk)).text
    listing = client.get(_url(ImportJob, "changelist")).text

    assert "warga.csv" in page
    for text in (page, listing):
        assert "3572024708850001" not in text
        assert "Rahasia" not in text


def test_a_record_read_only_here_still_goes_with_its_parent(client, admin_user):
    line = _budget_line()
    activity = line.activity
    client.force_login(admin_user)
    url = reverse("admin:rtkeren_activity_delete", args=[activity.pk])

    confirmation = client.get(url)
    assert confirmation.context["perms_lacking"] == set()
    client.post(url, {"post": "yes"})

    assert not type(line).objects.filter(pk=line.pk).exists()
