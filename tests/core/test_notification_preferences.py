"""The notification settings page: each person chooses, for themself only, where each kind of
notification reaches them; WhatsApp and SMS only with the recorded consent for that channel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from rtkeren.models import Channel, Consent, NotificationKind, NotificationPreference, User
from rtkeren.selectors.notifications import SWITCHABLE_KINDS
from rtkeren.services.preferences import STALE_FORM
from rtkeren.services.privacy import consent_give

pytestmark = pytest.mark.django_db

URL = reverse("notification-preferences")
PHONE = "+6281234567890"


def indonesian(message) -> str:
    """``message`` as a page writes it to a person reading Indonesian (the default)."""
    with translation.override("id"):
        return escape(str(message))


@pytest.fixture
def person(resident_user, resident):
    """A verified resident with an e-mail address and a phone number the RT chair recorded."""
    resident.phone = PHONE
    resident.save(update_fields=["phone"])
    User.objects.filter(pk=resident_user.pk).update(email="warga@example.com")
    resident_user.refresh_from_db()
    return resident_user


def _rows(user) -> set[tuple[str, str, bool]]:
    return set(
        NotificationPreference.objects.filter(user=user).values_list("kind", "channel", "enabled")
    )


def test_a_visitor_is_sent_to_login(client):
    for response in (client.get(URL), client.post(URL, {"enabled": ["forum:bell"]})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not NotificationPreference.objects.exists()


def test_the_page_shows_a_group_per_kind_and_no_table(client, person):
    client.force_login(person)

    response = client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<table" not in page
    assert page.count("<fieldset") == len(SWITCHABLE_KINDS)
    # Account messages cannot be switched off here.
    assert 'value="account:' not in page
    for kind in SWITCHABLE_KINDS:
        for channel in Channel:
            assert f'value="{kind}:{channel}"' in page
    # By default the bell and e-mail are on; WhatsApp waits for consent, with its text.
    assert 'value="forum:bell" id="pref-forum-bell" checked' in page
    assert 'value="forum:email" id="pref-forum-email" checked' in page
    assert 'value="forum:whatsapp" id="pref-forum-whatsapp" aria-describedby' in page
    assert 'name="consent_to" value="whatsapp"' in page
    assert indonesian(Consent.TEXTS[Consent.Purpose.WHATSAPP]) in page


def test_channels_the_person_cannot_use_are_shown_off_with_the_reason(client, resident_user):
    """No e-mail address and no phone number recorded by the RT chair."""
    client.force_login(resident_user)

    page = client.get(URL).content.decode()

    for channel in (Channel.EMAIL, Channel.WHATSAPP, Channel.SMS):
        assert (
            f'value="vote:{channel}" id="pref-vote-{channel}" disabled '
            f'aria-describedby="channel-{channel}-reason"'
        ) in page
    assert 'name="consent_to"' not in page
    assert 'id="channel-email-reason"' in page
    assert 'id="channel-whatsapp-reason"' in page


def test_saving_writes_the_choices_of_the_logged_in_person_only(client, person, outsider):
    NotificationPreference.objects.create(
        user=outsider, kind=NotificationKind.FORUM, channel=Channel.BELL, enabled=True
    )
    client.force_login(person)

    response = client.post(URL, {"enabled": ["forum:bell", "vote:email"], "digest": "on"})

    assert response.status_code == 302
    assert response["Location"] == URL
    rows = _rows(person)
    # Every kind for the bell and e-mail; nothing for WhatsApp and SMS without consent.
    assert len(rows) == len(SWITCHABLE_KINDS) * 2
    assert ("forum", "bell", True) in rows
    assert ("vote", "bell", False) in rows
    assert ("vote", "email", True) in rows
    assert ("forum", "email", False) in rows
    person.refresh_from_db()
    assert person.notification_digest
    assert _rows(outsider) == {("forum", "bell", True)}
    outsider.refresh_from_db()
    assert not outsider.notification_digest


def test_the_saved_choices_are_shown_again(client, person):
    client.force_login(person)
    client.post(URL, {"enabled": ["meeting:email"]})

    page = client.get(URL).content.decode()

    assert 'value="meeting:email" id="pref-meeting-email" checked' in page
    assert 'value="meeting:bell" id="pref-meeting-bell">' in page
    assert 'name="digest" id="id_digest" aria-describedby="digest-help">' in page


@pytest.mark.parametrize(
    "data",
    [
        {"enabled": ["forum:bell", "account:bell"]},  # account messages are not switchable
        {"enabled": ["forum:bell", "forum:pigeon"]},
        {"enabled": ["lottery:bell"]},
        {"enabled": ["forum:bell"], "consent_to": ["email"]},
    ],
)
def test_a_tampered_form_is_refused_in_indonesian_and_changes_nothing(client, person, data):
    NotificationPreference.objects.create(
        user=person, kind=NotificationKind.FORUM, channel=Channel.BELL, enabled=False
    )
    client.force_login(person)

    response = client.post(URL, data)

    assert response.status_code == 200
    assert indonesian(STALE_FORM) in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert _rows(person) == {("forum", "bell", False)}
    assert not Consent.objects.exists()


def test_a_stale_form_for_a_channel_no_longer_usable_is_refused(client, person):
    """The page was opened with an e-mail address that has since been removed."""
    client.force_login(person)
    # Removed as the portal removes it (the profile form saves the account), in another tab.
    account = User.objects.get(pk=person.pk)
    account.email = ""
    account.save(update_fields=["email"])

    response = client.post(URL, {"enabled": ["forum:bell", "forum:email"]})

    assert indonesian(STALE_FORM) in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_whatsapp_without_consent_is_refused(client, person):
    client.force_login(person)

    response = client.post(URL, {"enabled": ["forum:bell", "forum:whatsapp"]})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "WhatsApp" in page
    # The boxes come back as ticked, the consent box still unticked.
    assert 'value="forum:whatsapp" id="pref-forum-whatsapp" checked' in page
    assert not Consent.objects.exists()
    assert not NotificationPreference.objects.exists()


def test_whatsapp_with_consent_ticked_records_the_consent_and_the_choice(client, person):
    client.force_login(person)

    response = client.post(
        URL,
        {"enabled": ["forum:bell", "forum:whatsapp", "vote:whatsapp"], "consent_to": ["whatsapp"]},
    )

    assert response.status_code == 302
    consent = Consent.objects.in_force().get()
    assert consent.resident == person.resident
    assert consent.purpose == Consent.Purpose.WHATSAPP
    assert consent.recorded_by == person
    assert consent.text == str(Consent.TEXTS[Consent.Purpose.WHATSAPP])
    rows = _rows(person)
    assert ("forum", "whatsapp", True) in rows
    assert ("vote", "whatsapp", True) in rows
    assert ("meeting", "whatsapp", False) in rows
    # SMS was left alone: no consent, nothing chosen.
    assert not any(channel == "sms" for _kind, channel, _on in rows)
    page = client.get(URL).content.decode()
    assert 'value="vote:whatsapp" id="pref-vote-whatsapp" checked' in page
    assert 'name="consent_to" value="whatsapp"' not in page
    assert 'name="withdraw" value="whatsapp"' in page


def test_consent_ticked_for_a_person_without_a_phone_is_refused(client, resident_user):
    client.force_login(resident_user)

    response = client.post(URL, {"enabled": ["forum:whatsapp"], "consent_to": ["whatsapp"]})

    assert indonesian(STALE_FORM) in response.content.decode()
    assert not Consent.objects.exists()


def test_withdrawing_on_the_page_ends_the_consent_and_keeps_the_phone(client, person):
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    client.force_login(person)

    response = client.post(URL, {"withdraw": "sms"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert not Consent.objects.in_force().exists()
    person.resident.refresh_from_db()
    assert person.resident.phone == PHONE
    assert 'name="consent_to" value="sms"' in response.content.decode()


def test_withdrawing_an_unknown_channel_is_refused(client, person):
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    client.force_login(person)

    response = client.post(URL, {"withdraw": "phone"}, follow=True)

    assert indonesian(STALE_FORM) in response.content.decode()
    assert Consent.objects.in_force().count() == 1
    person.resident.refresh_from_db()
    assert person.resident.phone == PHONE


def test_an_account_without_a_register_entry_chooses_bell_and_email(client, officer):
    User.objects.filter(pk=officer.pk).update(email="petugas@example.com")
    client.force_login(officer)

    assert client.get(URL).status_code == 200
    response = client.post(URL, {"enabled": ["forum:email"]})

    assert response.status_code == 302
    assert ("forum", "email", True) in _rows(officer)


def test_profile_and_notification_list_link_the_page(client, person):
    client.force_login(person)

    for name in ("account-profile", "notification-list"):
        assert f'href="{URL}"' in client.get(reverse(name)).content.decode(), name


def _tables(client) -> list[str]:
    client.get(URL)  # the success message shown and gone, the roles in the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return [query["sql"].split(" FROM ")[1].split()[0].strip('"') for query in queries]


def test_the_page_takes_the_same_queries_without_choices_and_with_many(client, person):
    client.force_login(person)
    none = _tables(client)

    consent_give(resident=person.resident, purpose=Consent.Purpose.WHATSAPP, by=person)
    consent_give(resident=person.resident, purpose=Consent.Purpose.SMS, by=person)
    client.post(URL, {"enabled": [f"{kind}:{channel}" for kind in SWITCHABLE_KINDS
                                  for channel in Channel]})  # fmt: skip
    assert NotificationPreference.objects.filter(user=person).count() == 4 * len(SWITCHABLE_KINDS)
    many = _tables(client)

    assert (
        none
        == many
        == [
            "django_session",
            "rtkeren_resident",  # the register entry and its phone number
            "rtkeren_consent",  # the WhatsApp and SMS consents in force
            "rtkeren_notificationpreference",  # every choice, in one query
            # (the account and the bell's count come from the cache)
        ]
    )
