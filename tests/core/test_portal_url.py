"""`make run HOST=... PORT=...` serves there, and the links in the e-mails it sends lead there.

The Makefile is only ever read with `make -n` here: nothing is installed or served.
"""

import os
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from rtkeren.models import Notification
from rtkeren.tasks import notification_email_send, password_reset_email_send
from tests import factories
from tests.core.test_settings import ROOT, manage

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_run_dry(*assignments: str) -> str:
    """The commands `make run` would run, without running them."""
    env = {name: value for name, value in os.environ.items() if name != "PORTAL_URL"}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", *assignments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def portal_url(commands: str) -> str:
    """The address the server and the e-mail worker are given."""
    [url] = re.findall(r"export PORTAL_URL='([^']*)'", commands)
    return url


@needs_make
def test_make_run_serves_on_the_chosen_host_and_port_and_links_there():
    commands = make_run_dry("HOST=10.0.0.5", "PORT=8080")

    assert "runserver 10.0.0.5:8080" in commands
    assert portal_url(commands) == "http://10.0.0.5:8080"
    # Given before the worker, which sends the e-mails, starts.
    assert commands.index("export PORTAL_URL=") < commands.index("db_worker")


@needs_make
def test_make_run_links_to_its_default_address():
    commands = make_run_dry()

    assert "runserver 127.0.0.1:8000" in commands
    assert portal_url(commands) == "http://127.0.0.1:8000"


@needs_make
def test_a_portal_url_given_to_make_run_wins_over_host_and_port():
    commands = make_run_dry("HOST=0.0.0.0", "PORT=8080", "PORTAL_URL=http://192.168.1.20:8080")

    assert "runserver 0.0.0.0:8080" in commands
    assert portal_url(commands) == "http://192.168.1.20:8080"


@needs_make
@pytest.mark.django_db
def test_the_password_reset_link_leads_to_where_make_run_serves(resident_user):
    served = portal_url(make_run_dry("HOST=10.0.0.5", "PORT=8080"))
    resident_user.email = "warga@example.com"
    resident_user.save()

    with override_settings(PORTAL_URL=served):
        assert password_reset_email_send.call("warga@example.com") == 1

    [email] = mail.outbox
    assert "http://10.0.0.5:8080/accounts/reset/" in email.body


@needs_make
@pytest.mark.django_db
def test_the_notification_links_lead_to_where_make_run_serves():
    served = portal_url(make_run_dry("HOST=10.0.0.5", "PORT=8080"))
    person = factories.UserFactory(username="rapat", email="rapat@example.com")
    notification = Notification.objects.create(
        recipient=person, message="Rapat RT malam ini.", url="/kegiatan/7/"
    )

    with override_settings(PORTAL_URL=served):
        assert notification_email_send.call([notification.pk]) == 1

    [email] = mail.outbox
    assert "http://10.0.0.5:8080/kegiatan/7/" in email.body
    assert "http://10.0.0.5:8080" + reverse("account-profile") in email.body


def test_development_answers_to_the_host_of_its_portal_url():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(' '.join(settings.ALLOWED_HOSTS))",
        DJANGO_SETTINGS_MODULE="rtkeren.settings.development",
        PORTAL_URL="http://10.0.0.5:8080",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["127.0.0.1", "localhost", "[::1]", "10.0.0.5"]
