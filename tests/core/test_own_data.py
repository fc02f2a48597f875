"""Unduh data saya: everything the portal holds about the logged-in person, as a page to print
and as a JSON file, each download audited, and nothing of anyone else."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import ForumAttendance
from rtkeren.models import (
    Channel,
    CommunityMembership,
    Consent,
    DeletionRequest,
    ExportAudit,
    NotificationKind,
    NotificationPreference,
    OutboundMessage,
)
from rtkeren.selectors.notifications import SWITCHABLE_KINDS
from rtkeren.services.notifications import notification_send
from rtkeren.services.privacy import OWN_DATA_FILE, OWN_DATA_PAGE, consent_give
from tests import factories
from tests.assessment.factories import EvaluationFactory, EvaluationRoundFactory, FollowUpFactory
from tests.commissioning.factories import AttendanceFactory as ForumAttendanceFactory
from tests.commissioning.factories import EndorsementFactory, ForumFactory, PotentialFactory
from tests.core.participation_support import take_part_in_everything
from tests.delivery.factories import AttendanceFactory as MeetingAttendanceFactory
from tests.delivery.factories import (
    CommitteeNoteFactory,
    ImplementerFactory,
    MeetingFactory,
    TaskFactory,
)
from tests.designing.factories import CommentFactory, VoteFactory, VotingRoundFactory, proposal

pytestmark = pytest.mark.django_db

PAGE = reverse("own-data")
FILE = reverse("own-data-file")


def _records_of(user, resident, period, tag: str, *, number: int = 1) -> None:
    """``number`` records of every kind the portal keeps about a person, each naming ``tag``."""
    rt = resident.rt
    for index in range(number):
        mark = f"{tag} {index}"
        resident.interests.add(factories.InterestFactory(name=f"Minat {mark}"))
        CommunityMembership.objects.create(
            resident=resident, community=factories.CommunityFactory(name=f"Komunitas {mark}")
        )
        factories.ActivityFactory(author=user, rt=rt, period=period, title=f"Usulan {mark}")
        # One request per resident at most.
        DeletionRequest.objects.get_or_create(
            resident=resident, defaults={"reason": f"Alasan {mark}"}
        )
        notification_send(recipients=[user], message=f"Pesan {mark}")
        NotificationPreference.objects.update_or_create(
            user=user,
            channel=Channel.WHATSAPP,
            kind=SWITCHABLE_KINDS[index % len(SWITCHABLE_KINDS)],
            defaults={"enabled": False},
        )
        OutboundMessage.objects.create(
            user=user,
            channel=Channel.WHATSAPP,
            kind=NotificationKind.FORUM,
            address="+6281234567890",
            text=f"Kirim {mark}",
        )
        PotentialFactory(author=user, author_resident=resident, rt=rt, title=f"Potensi {mark}")
        EndorsementFactory(
            potential=PotentialFactory(rt=rt, title=f"Didukung {mark}"), resident=resident
        )
        ForumAttendanceFactory(forum=ForumFactory(rt=rt, title=f"Forum {mark}"), resident=resident)
        CommentFactory(
            activity=proposal(rt=rt, period=period, title=f"Dikomentari {mark}"),
            author=user,
            resident=resident,
            body=f"Komentar {mark}",
        )
        VoteFactory(
            round=VotingRoundFactory(rt=rt, period=period, title=f"Putaran {mark}"),
            activity=proposal(rt=rt, period=period, title=f"Dipilih {mark}"),
            resident=resident,
        )
        activity = factories.ActivityFactory(rt=rt, period=period, title=f"Kegiatan {mark}")
        ImplementerFactory(activity=activity, resident=resident, note=f"Peran {mark}")
        MeetingAttendanceFactory(
            meeting=MeetingFactory(activity=activity, title=f"Pertemuan {mark}"), resident=resident
        )
        TaskFactory(activity=activity, assignee=user, title=f"Tugas {mark}")
        CommitteeNoteFactory(activity=activity, author=user, text=f"Catatan {mark}")
        EvaluationFactory(
            activity=activity, evaluator=user, resident=resident, obstacles=f"Hambatan {mark}"
        )
        FollowUpFactory(activity=activity, owner=user, action=f"Tindakan {mark}")
        ForumAttendance.objects.create(
            round=EvaluationRoundFactory(
                kelurahan=rt.rw.kelurahan, period=period, title=f"Evaluasi {mark}"
            ),
            resident=resident,
            recorded_by=user,
        )


def _download(client):
    response = client.get(FILE)
    assert response.status_code == 200
    return response, json.loads(response.content.decode("utf-8"))


def test_the_file_holds_every_section_of_the_person_and_nothing_of_a_neighbour(
    client, resident_user, resident, rt, period
):
    resident.phone = "+6281234567890"
    resident.save()
    consent_give(resident=resident, purpose=Consent.Purpose.PHOTO, by=resident_user)
    whatsapp = consent_give(resident=resident, purpose=Consent.Purpose.WHATSAPP, by=resident_user)
    _records_of(resident_user, resident, period, "Sari")
    take_part_in_everything(resident, period)
    neighbour_user, neighbour = factories.make_resident_user(rt, "tetangga")
    # A mark no generated name holds (a resident may well be called Bambang).
    _records_of(neighbour_user, neighbour, period, "Tetangga")
    client.force_login(resident_user)

    response, document = _download(client)

    today = timezone.localdate()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="data-saya-{today:%Y-%m-%d}.json"'
    )
    sections = document["sections"]
    assert set(sections) >= {
        "account", "residents", "role_assignments", "interests", "memberships", "participation",
        "proposals", "consents", "deletion_requests", "notifications", "potentials",
        "endorsements", "forum_attendance", "comments", "votes", "implementer_roles",
        "meeting_attendance", "tasks", "committee_notes", "evaluations", "follow_ups",
        "evaluation_forum_attendance", "notification_preferences", "outbound_messages",
    }  # fmt: skip
    empty = [key for key, section in sections.items() if not section["rows"]]
    assert empty == []
    text = response.content.decode("utf-8")
    assert resident.reveal_nik() in text
    assert resident.name in text
    assert "+6281234567890" in text
    assert resident_user.username in text
    for what in ("Minat", "Komunitas", "Usulan", "Alasan", "Pesan", "Potensi", "Didukung",
                 "Forum", "Komentar", "Putaran", "Dipilih", "Peran", "Pertemuan", "Tugas",
                 "Catatan", "Hambatan", "Tindakan", "Evaluasi", "Kirim"):  # fmt: skip
        assert f"{what} Sari 0" in text, what
    assert "Tetangga" not in text
    assert neighbour.name not in text
    assert neighbour.reveal_nik() not in text
    assert neighbour_user.username not in text
    assert "Kelas membatik 0" in text  # a ledger row, named by its activity
    consents = [list(row.values()) for row in sections["consents"]["rows"]]
    assert [whatsapp.get_purpose_display(), whatsapp.text] in [row[:2] for row in consents]
    # The message queued by hand, among any that notifications sent to WhatsApp.
    [message] = [
        row for row in sections["outbound_messages"]["rows"] if "Kirim Sari 0" in row.values()
    ]
    assert "+6281234567890" in message.values()
    assert len(sections["notification_preferences"]["rows"]) == 1
    vote = sections["votes"]["rows"][0]
    assert list(vote.values())[:2] == ["Putaran Sari 0", "Dipilih Sari 0"]


def test_the_file_is_utf8_indented_json_with_local_times(client, resident_user, resident):
    resident.address = "Jl. Mawar No. 5, Sananwetan – dekat masjid"
    resident.save()
    client.force_login(resident_user)

    response, document = _download(client)

    assert "Sananwetan – dekat masjid" in response.content.decode("utf-8")
    assert response.content.decode("utf-8").startswith('{\n  "portal"')
    assert document["generated_at"].endswith("+07:00")


def test_an_account_without_a_register_entry_gets_its_account(client, officer):
    client.force_login(officer)

    _response, document = _download(client)

    assert document["sections"]["account"]["rows"][0]["Nama pengguna"] == officer.username
    assert document["sections"]["residents"]["rows"] == []
    assert client.get(PAGE).status_code == 200


def test_a_claimed_entry_not_yet_confirmed_stays_out(client, rt):
    resident = factories.ResidentFactory(rt=rt)
    claimant = factories.claim(resident, username="pengklaim")
    client.force_login(claimant)

    response, document = _download(client)

    assert document["sections"]["residents"]["rows"] == []
    assert resident.reveal_nik() not in response.content.decode("utf-8")


@pytest.mark.parametrize("url", [PAGE, FILE])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert not ExportAudit.objects.exists()


@pytest.mark.parametrize(("url", "form"), [(PAGE, OWN_DATA_PAGE), (FILE, OWN_DATA_FILE)])
def test_each_download_writes_one_audit_row_without_personal_data(
    client, resident_user, resident, period, url, form
):
    _records_of(resident_user, resident, period, "Sari")
    client.force_login(resident_user)

    client.get(url)
    audit = ExportAudit.objects.get()
    client.get(url)

    assert ExportAudit.objects.count() == 2
    assert audit.user == resident_user
    assert audit.export == form
    assert audit.kelurahan == resident.rt.rw.kelurahan
    assert audit.row_count >= 20
    written = " ".join(str(value) for value in (audit.title, audit.scope, audit.export))
    assert resident.name not in written
    assert resident.reveal_nik() not in written
    assert "Sari" not in written


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [PAGE, FILE])
def test_query_count_is_the_same_at_one_record_and_at_many(
    client, resident_user, resident, period, url
):
    client.force_login(resident_user)
    _records_of(resident_user, resident, period, "Satu")
    take_part_in_everything(resident, period)
    one = _queries(client, url)

    _records_of(resident_user, resident, period, "Banyak", number=4)
    take_part_in_everything(resident, period, number=3)
    many = _queries(client, url)

    assert one == many


def test_the_page_reads_in_indonesian_and_links_the_file(client, resident_user, resident, period):
    _records_of(resident_user, resident, period, "Sari")
    client.force_login(resident_user)

    response = client.get(PAGE)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Unduh data saya" in content
    assert "Data kependudukan" in content
    assert resident.reveal_nik() in content
    assert "Komentar Sari 0" in content
    assert FILE in content
    assert "print-button.js" in content


def test_data_saya_links_to_the_download(client, resident_user, resident):
    client.force_login(resident_user)
    content = client.get(reverse("data-saya")).content.decode()
    assert PAGE in content
    assert FILE in content
