"""Signing in is defended: failed logins lock the account (not the address), requests that
change things are rate-limited per account first and per address generously, sessions end,
and every form carries a CSRF token."""

import datetime
import re
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from delivery import services as delivery_services
from designing.models import Vote
from rtkeren.middleware import SessionIdleTimeoutMiddleware
from rtkeren.models import ActivityStatus, Resident
from rtkeren.ratelimits import client_ip
from tests import factories as core
from tests.delivery import factories as delivery_factories
from tests.designing.factories import VotingRoundFactory, proposal

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-123"
LOGIN = "/accounts/login/"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _login(client, login, password, **extra):
    return client.post(LOGIN, {"username": login, "password": password}, **extra)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# Lockout after failed logins.


def test_failed_logins_lock_the_account_with_a_clear_page(client, resident_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "warga", "salah-sekali").status_code == 200
    assert _login(client, "warga", "salah-sekali").status_code == 429

    response = _login(client, "warga", PASSWORD)

    assert response.status_code == 429
    html = response.content.decode()
    assert "Akun dikunci sementara" in html
    assert f"salah {settings.AXES_FAILURE_LIMIT} kali berturut-turut" in html
    assert "diblokir selama 15 menit" in html
    assert not _logged_in(client)


def test_the_lock_is_per_account_not_per_address(client, resident_user, rt, settings):
    core.make_resident_user(rt, "tetangga")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "warga", "salah-sekali")

    neighbour = Client(REMOTE_ADDR="127.0.0.1")
    response = _login(neighbour, "tetangga", PASSWORD)

    assert response.status_code == 302
    assert _logged_in(neighbour)


def test_username_and_phone_number_count_against_one_account(client, resident_user, settings):
    Resident.objects.filter(user=resident_user).update(phone="+6281234567890")
    ways_to_write_it = ["warga", "WARGA", "081234567890", "+62 812-3456-7890", "6281234567890"]
    assert len(ways_to_write_it) == settings.AXES_FAILURE_LIMIT
    statuses = [_login(client, login, "salah-sekali").status_code for login in ways_to_write_it]

    assert statuses == [200, 200, 200, 200, 429]
    assert _login(client, "0812 3456 7890", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get().username == "warga"


def test_the_lock_lifts_after_the_cool_off(client, resident_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "warga", "salah-sekali")
    assert _login(client, "warga", PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    )

    assert _login(client, "warga", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_a_successful_login_starts_the_count_again(client, resident_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "warga", "salah-sekali")
    assert _login(client, "warga", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "warga", "salah-sekali")

    assert _login(client, "warga", PASSWORD).status_code == 302


def test_guessing_during_the_lock_does_not_extend_it(client, resident_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "warga", "salah-sekali")
    locked_at = AccessAttempt.objects.get().attempt_time
    for _attempt in range(3):
        assert _login(client, "warga", "salah-lagi").status_code == 429

    assert AccessAttempt.objects.get().attempt_time == locked_at


# Rate limits.


@pytest.fixture
def open_round(rt, period):
    chosen = proposal(rt=rt, period=period)
    return VotingRoundFactory(rt=rt, period=period, proposals=[chosen]), chosen


def _vote_url(voting_round, activity, *, take_back=False):
    name = "designing:vote-delete" if take_back else "designing:vote-create"
    return reverse(name, args=[voting_round.pk, activity.pk])


def test_voting_is_limited_per_account_and_the_limited_request_changes_nothing(
    client, resident_user, open_round, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": ("2/m", "20/m")}
    voting_round, activity = open_round
    client.force_login(resident_user)
    assert client.post(_vote_url(voting_round, activity)).status_code == 302
    assert client.post(_vote_url(voting_round, activity, take_back=True)).status_code == 302

    response = client.post(_vote_url(voting_round, activity))

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Terlalu banyak permintaan" in response.content.decode()
    assert not Vote.objects.exists()
    neighbour, _resident = core.make_resident_user(voting_round.rt, "tetangga")
    client.force_login(neighbour)
    assert client.post(_vote_url(voting_round, activity)).status_code == 302
    assert Vote.objects.get().resident.user == neighbour


def test_the_address_limit_is_generous_but_real(client, open_round, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": ("5/m", "3/m")}
    voting_round, activity = open_round
    villagers = [core.make_resident_user(voting_round.rt, f"warga{n}")[0] for n in range(4)]
    outcomes = []
    for villager in villagers:
        client.force_login(villager)
        outcomes.append(client.post(_vote_url(voting_round, activity)).status_code)

    assert outcomes == [302, 302, 302, 429]
    assert Vote.objects.count() == 3
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    elsewhere.force_login(villagers[3])
    assert elsewhere.post(_vote_url(voting_round, activity)).status_code == 302
    assert Vote.objects.count() == 4


def test_voting_goes_on_uncounted_when_the_shared_cache_is_away(
    client, resident_user, open_round, settings, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    voting_round, activity = open_round
    client.force_login(resident_user)

    assert client.post(_vote_url(voting_round, activity)).status_code == 302
    assert Vote.objects.count() == 1
    assert "not counted: the cache does not answer" in caplog.text


def test_reading_pages_is_not_counted(client, resident_user, open_round, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": ("1/m", "1/m")}
    voting_round, activity = open_round
    client.force_login(resident_user)
    detail = reverse("designing:round-detail", args=[voting_round.pk])
    for _visit in range(3):
        assert client.get(detail).status_code == 200

    assert client.post(_vote_url(voting_round, activity)).status_code == 302


def test_registration_is_limited_per_nik(client, rt, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": ("2/h", "100/h")}
    url = reverse("account-register")
    form = {"username": "baru", "name": "Warga Baru", "nik": "3572024107850001"}

    statuses = [client.post(url, form).status_code for _attempt in range(3)]
    other_nik = client.post(url, {**form, "nik": "3572024107850002"}).status_code

    assert statuses == [200, 200, 429]
    assert other_nik == 200


def test_self_check_in_is_limited_per_account(client, resident_user, rt, period, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "checkin": ("1/m", "10/m")}
    activity = delivery_factories.approved_activity(
        rt, period=period, status=ActivityStatus.IN_DELIVERY
    )
    meeting = delivery_factories.meeting_at(activity, timezone.now())
    url = reverse(
        "delivery:meeting-checkin", args=[meeting.pk, delivery_services.checkin_token(meeting)]
    )
    client.force_login(resident_user)

    first = client.post(url)
    second = client.post(url)

    assert first.status_code == 302
    assert second.status_code == 429
    assert meeting.attendances.count() == 1


def test_the_login_form_is_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": ("100/m", "2/m")}
    statuses = [_login(client, f"orang{n}", "salah").status_code for n in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "127.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_proxies_it_is_told_of(
    rf, settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == expected


# Sessions end.


def test_an_expired_session_is_logged_out(client, resident_user):
    client.force_login(resident_user)
    assert client.get(reverse("account-profile")).status_code == 200

    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(reverse("account-profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_idle_too_long_is_logged_out_with_a_message(client, resident_user, settings):
    client.force_login(resident_user)
    client.get(reverse("home"))
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()

    response = client.get(reverse("account-profile"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "lama tidak menggunakan portal" in response.content.decode()
    assert not _logged_in(client)


def test_a_session_in_use_stays(client, resident_user, settings):
    client.force_login(resident_user)
    client.get(reverse("home"))
    session = client.session
    session[SessionIdleTimeoutMiddleware.KEY] = (
        int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    )
    session.save()

    assert client.get(reverse("account-profile")).status_code == 200
    assert client.session[SessionIdleTimeoutMiddleware.KEY] >= int(time.time()) - 5


def test_sessions_last_at_most_two_weeks_and_end_sooner_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE == 60 * 60 * 24 * 14
    assert 0 < settings.SESSION_IDLE_TIMEOUT < settings.SESSION_COOKIE_AGE


# CSRF on every form.

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)


def test_every_post_form_in_the_templates_carries_the_csrf_token():
    post_forms = 0
    missing = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for form in FORM.findall(template.read_text()):
            opening = form[: form.index(">") + 1]
            if not POST.search(opening):
                continue
            post_forms += 1
            if "{% csrf_token %}" not in form:
                missing.append(f"{template.relative_to(TEMPLATES)}: {opening}")
    assert post_forms > 40
    assert missing == []


def test_rendered_post_forms_carry_the_token(client, resident_user, open_round):
    voting_round, _activity = open_round
    client.force_login(resident_user)
    pages = [
        reverse("home"),
        reverse("account-profile"),
        reverse("designing:round-detail", args=[voting_round.pk]),
    ]
    seen = 0
    for page in pages:
        html = client.get(page).content.decode()
        for form in FORM.findall(html):
            if POST.search(form[: form.index(">") + 1]):
                seen += 1
                assert 'name="csrfmiddlewaretoken"' in form, page
    assert seen >= 5


def test_a_post_without_the_token_is_refused(resident_user, open_round):
    voting_round, activity = open_round
    strict = Client(enforce_csrf_checks=True)
    assert _login(strict, "warga", PASSWORD).status_code == 403
    strict.force_login(resident_user)

    assert strict.post(_vote_url(voting_round, activity)).status_code == 403
    assert strict.post(reverse("logout")).status_code == 403
    assert not Vote.objects.exists()
