"""Work done by the background worker (`manage.py db_worker`), never inside a request."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import Truncator
from django.utils.translation import gettext
from django_tasks import task

from rtkeren.models import Notification

SUBJECT_MESSAGE_LENGTH = 80


def absolute_url(path: str) -> str:
    """The link as seen from outside: e-mail has no request to take the host from."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.PORTAL_URL + path


def _email(notification: Notification, security_notice: bool, address: str) -> EmailMessage:
    recipient = notification.recipient
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        subject = gettext("RT Keren: %(message)s") % {
            "message": Truncator(notification.message).chars(SUBJECT_MESSAGE_LENGTH)
        }
        body = render_to_string(
            "rtkeren/email/notification.txt",
            {
                "recipient": recipient,
                "message": notification.message,
                "link": absolute_url(notification.url or reverse("notification-list")),
                "profile_link": absolute_url(reverse("account-profile")),
                "security_notice": security_notice,
            },
        )
    # A line break in the message would make an invalid header.
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[address])


@task()
def notification_email_send(
    notification_ids: list[int], security_notice: bool = False, previous_email: str = ""
) -> int:
    """E-mail the given notifications to those recipients who still have an address and still
    want e-mail (either may have changed since the task was queued); a security notice goes to
    every address, and to ``previous_email`` as well. Returns how many went."""
    notifications = Notification.objects.filter(pk__in=notification_ids)
    if not security_notice:
        notifications = notifications.filter(recipient__email_notifications=True)
        previous_email = ""
    emails = [
        _email(notification, security_notice, address)
        for notification in notifications.select_related("recipient").order_by("pk")
        for address in dict.fromkeys((notification.recipient.email, previous_email))
        if address
    ]
    if not emails:
        return 0
    # One connection for the whole batch rather than one per e-mail.
    return get_connection().send_messages(emails) or 0


# The resident import: the services queue these, so they are imported when the task runs.


@task()
def resident_import_check(job_id: int) -> str:
    """Read and check an uploaded resident file. Returns the job's new status."""
    from rtkeren.services.imports import import_job_check

    return import_job_check(job_id=job_id)


@task()
def resident_import_apply(job_id: int, fingerprint: str) -> str:
    """Import a confirmed resident file, all or nothing. Returns the job's new status."""
    from rtkeren.services.imports import import_job_apply

    return import_job_apply(job_id=job_id, fingerprint=fingerprint)


def _password_reset_email(user, portal) -> EmailMessage:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "email": user.email,
            "domain": portal.netloc + portal.path,
            "site_name": portal.netloc,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": portal.scheme,
        }
        subject = render_to_string("registration/password_reset_subject.txt", context)
        body = render_to_string("registration/password_reset_email.html", context)
    return EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])


@task()
def password_reset_email_send(email: str) -> int:
    """E-mail a link to choose a new password to each active account with this address (one at
    most, as a rule), in its owner's language. The look-up happens here and not in the request,
    so the request takes as long for an unknown address as for a known one. Returns how many
    went."""
    portal = urlsplit(settings.PORTAL_URL)
    emails = [_password_reset_email(user, portal) for user in PasswordResetForm().get_users(email)]
    if not emails:
        return 0
    return get_connection().send_messages(emails) or 0


@task()
def outbound_message_send(message_id: int) -> str:
    """Send one WhatsApp, SMS or digest message, or plan its next try."""
    from rtkeren.services.messages import outbound_message_attempt

    return outbound_message_attempt(message_id)


@task()
def password_code_phone_send(phone: str, channel: str) -> int:
    """Send a one-time code to the accounts with this verified phone number, if any. The
    look-up happens here and not in the request, so the request takes as long for an unknown
    number as for a known one. Returns how many codes went."""
    from rtkeren.services.accounts import password_code_send_to_phone

    return password_code_send_to_phone(phone=phone, channel=channel)


@task()
def outbound_messages_send(message_ids: list[int]) -> int:
    """Send the messages of one notification that are due together; each is tried, retried
    or failed on its own. Returns how many were tried."""
    from rtkeren.services.messages import outbound_message_attempt

    return sum(bool(outbound_message_attempt(message_id)) for message_id in message_ids)
