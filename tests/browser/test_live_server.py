"""The live server the browser tests run against: requests arriving at once (a page's own, a
service worker syncing by itself) each get their answer, on SQLite in memory as on PostgreSQL."""

import http.cookiejar
import json
import threading
import urllib.request

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from delivery.models import Attendance
from rtkeren.models import OfflineSubmission, Role
from tests import factories
from tests.browser.helpers import blitar_rt
from tests.delivery.factories import approved_activity, meeting_at
from tests.offline import submission

pytestmark = pytest.mark.usefixtures("transactional_db")


def _opener(live_server, user):
    """An HTTP client holding ``user``'s session and a CSRF token, as a phone would."""
    client = Client()
    client.force_login(user)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session))
    opener.open(live_server.url + reverse("home")).read()
    token = next(cookie.value for cookie in jar if cookie.name == settings.CSRF_COOKIE_NAME)
    return opener, token


def _cookie(name, value):
    return http.cookiejar.Cookie(
        0,
        name,
        value,
        None,
        False,
        "localhost.local",
        True,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


def test_one_submission_sent_four_times_at_once_is_applied_once(live_server):
    """The phone's queue and the worker's Background Sync may send the same kept submission at
    the same moment: one is applied, the others get its answer again, none gets an error."""
    rt = blitar_rt()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    running = approved_activity(rt, period=factories.PeriodFactory(), status="in_delivery")
    meeting = meeting_at(running, timezone.now(), title="Kerja bakti")
    crowd = [factories.ResidentFactory(rt=rt) for _ in range(3)]
    opener, token = _opener(live_server, chair)
    body = json.dumps(submission(chair, present=[r.pk for r in crowd])).encode()
    url = live_server.url + reverse("delivery:meeting-attendance-submit", args=[meeting.pk])
    barrier = threading.Barrier(4)
    answers = []

    def send():
        request = urllib.request.Request(
            url,
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": token},
        )
        barrier.wait(timeout=30)
        try:
            with opener.open(request, timeout=30) as response:
                answers.append((response.status, json.loads(response.read())["repeated"]))
        except urllib.error.HTTPError as error:
            answers.append((error.code, None))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers, key=str) == [(200, False), (200, True), (200, True), (200, True)]
    assert OfflineSubmission.objects.get().outcome == "applied"
    assert Attendance.objects.filter(meeting=meeting).count() == 3
