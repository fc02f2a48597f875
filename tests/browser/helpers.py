"""What the browser tests share: places, logging in, and fitting a phone screen."""

from django.conf import settings
from django.test import Client

from tests import factories


def blitar_rt():
    """RT 002 / RW 007 of Kelurahan Blitar."""
    kelurahan = factories.kelurahan(factories.BLITAR)
    return factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=7), number=2)


def log_in(page, live_server, user) -> None:
    """Give the browser a session for ``user`` without going through the login form."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def fits_phone(page) -> bool:
    """The page does not scroll sideways on a 360 px phone."""
    return page.evaluate("document.documentElement.scrollWidth") <= 360
