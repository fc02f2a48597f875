"""The page of what waits on the phone, and the forms that can wait: what the portal sends for
static/js/offline-queue.js to work with."""

import html as html_lib
import json
import re

import pytest
from django.urls import reverse

from rtkeren.offline import OFFLINE_HEADER, account_tag
from tests.delivery.factories import MeetingFactory, approved_activity

pytestmark = pytest.mark.django_db


def test_the_queue_page_holds_nothing_personal_and_is_kept_offline(client, resident_user):
    visitor = client.get(reverse("offline-queue"))
    assert visitor.status_code == 200
    client.force_login(resident_user)
    response = client.get(reverse("offline-queue"))
    assert response.status_code == 200
    assert response[OFFLINE_HEADER] == "keep"
    html = response.content.decode()
    assert "data-offline-send" in html
    assert resident_user.get_full_name() not in html
    assert "<script>" not in html


def test_the_worker_keeps_the_queue_page_and_the_scripts_from_the_start(client):
    worker = client.get(reverse("service-worker")).content.decode()
    assert reverse("offline-queue") in worker
    assert re.search(r"importScripts\(\"/static/js/offline-queue[^\"]*\.js\"\)", worker)
    assert "js/attendance" in worker


def test_a_logged_in_page_carries_the_strings_in_its_language(client, resident_user):
    client.force_login(resident_user)
    html = client.get(reverse("home")).content.decode()
    strings = json.loads(html_lib.unescape(re.search(r'data-strings="([^"]*)"', html).group(1)))
    assert strings["incomplete"] == "Pilih nilai dari 1 sampai 5."
    assert "data-offline-queue-link" in html
    assert "data-logout" in html


def test_the_visitors_pages_load_no_queue(client):
    html = client.get(reverse("home")).content.decode()
    assert "offline-queue" not in html


def test_the_attendance_form_names_its_endpoint_and_account(client, rt, rt_chair, period):
    meeting = MeetingFactory(
        activity=approved_activity(rt, period=period, status="in_delivery"), created_by=rt_chair
    )
    client.force_login(rt_chair)
    html = client.get(reverse("delivery:meeting-attendance", args=[meeting.pk])).content.decode()
    assert (
        f'data-offline-url="{reverse("delivery:meeting-attendance-submit", args=[meeting.pk])}"'
        in html
    )
    assert f'data-offline-account="{account_tag(rt_chair)}"' in html
