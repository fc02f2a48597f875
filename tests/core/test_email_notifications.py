"""Notifications also go by e-mail: queued when the change commits, sent only by the worker."""

from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from rtkeren.models import Notification, User
from rtkeren.services.notifications import notification_send
from rtkeren.tasks import notification_email_send
from tests import factories
from tests.core.test_settings import PRODUCTION, manage
from tests.core.test_verification import register

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PORTAL_URL = "https://rtkeren.example.go.id"


@pytest.fixture(autouse=True)
def _queue_in_the_database(settings):
    settings.TASKS = DATABASE_TASKS
    settings.PORTAL_URL = PORTAL_URL


def run_worker_once() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


def run_worker() -> None:
    """The worker, inside the test's transaction.

    Like Django's test client around requests, keep the worker from closing "old" connections:
    that would close the one holding the test's transaction (on PostgreSQL).
    """
    with mock.patch.object(db_worker, "close_old_connections"):
        run_worker_once()


def user_with_email(username, email="", language="id", **fields):
    return factories.UserFactory(username=username, email=email, language=language, **fields)


# Queued in the request, sent by the worker.


def test_a_notification_in_a_request_is_queued_and_the_worker_sends_it(
    client, rt, rt_chair, django_capture_on_commit_callbacks
):
    pending = register(rt)
    User.objects.filter(pk=pending.user_id).update(email="siti@example.com")
    client.force_login(rt_chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verification-verify", args=[pending.pk]))

    assert response.status_code == 302
    notification = Notification.objects.get(recipient=pending.user)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "rtkeren.tasks.notification_email_send"
    assert queued.args_kwargs == {"args": [[notification.pk]], "kwargs": {}}
    assert mail.outbox == []

    run_worker()

    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert queued.return_value == 1
    [email] = mail.outbox
    assert email.to == ["siti@example.com"]
    assert email.subject.startswith("RT Keren: Akun Anda sudah diverifikasi.")
    assert "Halo Siti Aminah," in email.body
    assert notification.message in email.body
    assert PORTAL_URL + reverse("account-profile") in email.body


def test_nothing_is_queued_before_the_transaction_commits(officer):
    officer.email = "petugas@example.com"
    officer.save()

    with transaction.atomic():
        notification_send(recipients=[officer], message="Rapat RT malam ini.")
        assert not DBTaskResult.objects.exists()

    # The test's own transaction never commits, so the e-mail is never queued.
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


def test_a_rolled_back_change_queues_and_sends_nothing(officer, django_capture_on_commit_callbacks):
    officer.email = "petugas@example.com"
    officer.save()

    def change_that_fails():
        with transaction.atomic():
            notification_send(recipients=[officer], message="Rapat RT malam ini.")
            raise RuntimeError("the change fails after the notification")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        change_that_fails()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_one_task_carries_a_whole_batch(django_capture_on_commit_callbacks):
    people = [user_with_email(f"warga{n}", f"warga{n}@example.com") for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        sent = notification_send(recipients=people, message="Kerja bakti Minggu pagi.")

    queued = DBTaskResult.objects.get()
    assert sorted(queued.args_kwargs["args"][0]) == sorted(n.pk for n in sent)
    run_worker()
    assert sorted(email.to[0] for email in mail.outbox) == sorted(p.email for p in people)


# Who gets e-mail.


def test_people_without_an_address_or_who_opted_out_get_no_task_and_no_email(
    django_capture_on_commit_callbacks,
):
    no_address = user_with_email("tanpa_email")
    opted_out = user_with_email("tidak_mau", "tidak@example.com", email_notifications=False)

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[no_address, opted_out], message="Rapat RT malam ini.")

    assert Notification.objects.count() == 2
    assert not DBTaskResult.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_only_those_who_want_email_are_in_the_task(django_capture_on_commit_callbacks):
    wants = user_with_email("mau", "mau@example.com")
    opted_out = user_with_email("tidak_mau", "tidak@example.com", email_notifications=False)

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[wants, opted_out], message="Rapat RT malam ini.")

    run_worker()
    assert [email.to for email in mail.outbox] == [["mau@example.com"]]


def test_the_worker_respects_an_opt_out_made_after_queueing(django_capture_on_commit_callbacks):
    person = user_with_email("berubah", "berubah@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[person], message="Rapat RT malam ini.")
    User.objects.filter(pk=person.pk).update(email_notifications=False)

    run_worker()

    assert DBTaskResult.objects.get().return_value == 0
    assert mail.outbox == []


# Language and links.


def test_each_email_speaks_the_recipients_language(django_capture_on_commit_callbacks):
    indonesian = user_with_email("ibu", "ibu@example.com", language="id", first_name="Siti")
    english = user_with_email("guest", "guest@example.com", language="en", first_name="Anna")

    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[indonesian, english], message=_("Approved"), url="/x/")

    run_worker()
    emails = {email.to[0]: email for email in mail.outbox}
    assert emails["ibu@example.com"].subject == "RT Keren: Disetujui"
    assert "Buka di portal RT Keren:" in emails["ibu@example.com"].body
    assert emails["guest@example.com"].subject == "RT Keren: Approved"
    assert "Open it in the RT Keren portal:" in emails["guest@example.com"].body
    assert f"{PORTAL_URL}/x/" in emails["guest@example.com"].body


def test_a_notification_without_a_link_points_to_the_notification_list(
    django_capture_on_commit_callbacks,
):
    person = user_with_email("tanpa_tautan", "a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notification_send(recipients=[person], message="Rapat RT\nmalam ini.")

    run_worker()
    [email] = mail.outbox
    assert PORTAL_URL + reverse("notification-list") in email.body
    assert PORTAL_URL + reverse("account-profile") in email.body
    assert "\n" not in email.subject


# The worker.


def test_the_worker_command_processes_the_queue_and_leaves_it_empty():
    first = user_with_email("satu", "satu@example.com")
    second = user_with_email("dua", "dua@example.com")
    notifications = notification_send(recipients=[first, second], message="Rapat RT.")
    for notification in notifications:
        notification_email_send.enqueue([notification.pk])
    assert DBTaskResult.objects.ready().count() == 2

    run_worker()

    assert not DBTaskResult.objects.ready().exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert len(mail.outbox) == 2


def test_the_worker_sends_a_batch_with_a_fixed_number_of_queries(django_assert_max_num_queries):
    people = [user_with_email(f"warga{n}", f"warga{n}@example.com") for n in range(2)]
    few = [n.pk for n in notification_send(recipients=people, message="Rapat RT.")]
    more_people = [user_with_email(f"tetangga{n}", f"t{n}@example.com") for n in range(20)]
    many = [n.pk for n in notification_send(recipients=more_people, message="Rapat RT.")]

    with django_assert_max_num_queries(1):
        assert notification_email_send.call(few) == 2
    with django_assert_max_num_queries(1):
        assert notification_email_send.call(many) == 20


# Opting out on the profile page.


def test_the_profile_page_switches_email_notifications_off_and_on(client, officer):
    client.force_login(officer)
    page = client.get(reverse("account-profile"))
    assert "Pemberitahuan lewat e-mail" in page.text
    assert page.context["form"].initial["email_notifications"] is True

    client.post(
        reverse("account-profile"),
        {"email": "petugas@example.com", "language": "id", "current_password": "rahasia-123"},
    )
    officer.refresh_from_db()
    assert officer.email == "petugas@example.com"
    assert officer.email_notifications is False

    client.post(
        reverse("account-profile"),
        {"email": "petugas@example.com", "language": "id", "email_notifications": "on"},
    )
    officer.refresh_from_db()
    assert officer.email_notifications is True


def test_new_accounts_get_email_notifications_by_default():
    assert factories.UserFactory(username="baru").email_notifications is True


def test_the_admin_shows_and_edits_the_choice(client, admin_user, officer):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:rtkeren_user_changelist"))
    change = client.get(reverse("admin:rtkeren_user_change", args=[officer.pk]))
    assert listing.status_code == 200
    assert "email_notifications" in listing.text
    assert 'name="email_notifications"' in change.text


# Without the worker's test double: a real commit, as in production.


@pytest.mark.django_db(transaction=True)
def test_after_a_real_commit_the_row_waits_until_the_worker_runs(kelurahan):
    person = user_with_email("nyata", "nyata@example.com")

    notification_send(recipients=[person], message="Rapat RT malam ini.")

    assert DBTaskResult.objects.ready().count() == 1
    assert mail.outbox == []
    run_worker_once()
    assert [email.to for email in mail.outbox] == [["nyata@example.com"]]


def test_production_queues_in_the_database_and_links_to_its_own_address():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; "
        "print(settings.TASKS['default']['BACKEND'], settings.PORTAL_URL)",
        PORTAL_URL="https://rtkeren.blitarkota.go.id/",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_tasks_db.DatabaseBackend",
        "https://rtkeren.blitarkota.go.id",
    ]
