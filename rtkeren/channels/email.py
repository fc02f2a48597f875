"""E-mail as a channel for messages outside the notification e-mails: the daily digest."""

from django.core.mail import EmailMessage
from django.utils.text import Truncator

from . import TemporaryFailure


class EmailAdapter:
    def send(self, message) -> str:
        subject = Truncator(" ".join(message.text.split())).chars(80)
        try:
            EmailMessage(subject=subject, body=message.text, to=[message.address]).send()
        except OSError as error:  # SMTP down or refusing: try again later
            raise TemporaryFailure(str(error)) from error
        return ""
