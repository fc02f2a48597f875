"""The installable portal on a phone: Chromium finds it installable, a meeting page opened
before stays readable without a signal, other pages say "Anda sedang luring", and logging out
leaves nothing of the account on the phone."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rtkeren.models import ActivityStatus
from tests import factories
from tests.browser.helpers import blitar_rt, fits_phone, log_in
from tests.delivery.factories import approved_activity, meeting_at

pytestmark = pytest.mark.usefixtures("transactional_db")

KEPT_PAGES = """async () => {
  const found = [];
  for (const key of await caches.keys()) {
    if (key.startsWith("rtkeren-pages-")) {
      for (const request of await (await caches.open(key)).keys()) {
        found.push(new URL(request.url).pathname);
      }
    }
  }
  return found;
}"""


def wait_until(page, predicate, tries=50):
    for _ in range(tries):
        if predicate():
            return True
        page.wait_for_timeout(100)
    return predicate()


def test_installable_and_the_meeting_page_works_offline(installed_phone, live_server, screenshot):
    rt = blitar_rt()
    activity = approved_activity(
        rt, period=factories.PeriodFactory(), status=ActivityStatus.IN_DELIVERY
    )
    meeting = meeting_at(
        activity, timezone.now() + datetime.timedelta(days=1), title="Kerja bakti saluran"
    )
    user, _resident = factories.make_resident_user(rt, "warga")
    page, context = installed_phone, installed_phone.context
    log_in(page, live_server, user)
    home = live_server.url + reverse("home")
    meeting_url = live_server.url + reverse("delivery:meeting-detail", args=[meeting.pk])

    page.goto(home)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    errors = context.new_cdp_session(page).send("Page.getInstallabilityErrors")
    assert errors["installabilityErrors"] == []
    page.reload()
    assert page.evaluate("() => navigator.serviceWorker.controller !== null")

    page.goto(meeting_url)
    page.get_by_role("heading", name="Kerja bakti saluran").wait_for()
    assert wait_until(page, lambda: page.evaluate(KEPT_PAGES) != [])
    # Only the page marked for offline use is kept, not the home page.
    assert page.evaluate(KEPT_PAGES) == [reverse("delivery:meeting-detail", args=[meeting.pk])]

    context.set_offline(True)
    page.goto(meeting_url)
    page.get_by_role("heading", name="Kerja bakti saluran").wait_for()
    screenshot(page, "meeting-offline")
    page.goto(live_server.url + reverse("activity-list"))
    page.get_by_role("heading", name="Anda sedang luring").wait_for()
    assert fits_phone(page)
    screenshot(page, "not-kept-offline")

    context.set_offline(False)
    page.goto(home)
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_load_state()
    assert wait_until(page, lambda: page.evaluate(KEPT_PAGES) == [])
    # The visitor's page installs the worker again, with nothing of the account: offline, the
    # meeting page is gone.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    context.set_offline(True)
    page.goto(meeting_url)
    page.get_by_role("heading", name="Anda sedang luring").wait_for()
    assert page.get_by_text("Kerja bakti saluran").count() == 0


def test_a_visitors_phone_keeps_no_page(phone_page, live_server):
    """A visitor's pages carry no account: the worker keeps only the offline page and the
    static files, never a page."""
    page = phone_page
    page.goto(live_server.url + reverse("home"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.goto(live_server.url + reverse("privacy-notice"))
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert page.evaluate(KEPT_PAGES) == []
    shell = page.evaluate(
        """async () => {
          const keys = await caches.keys();
          const shell = keys.find((key) => key.startsWith("rtkeren-shell-"));
          return (await (await caches.open(shell)).keys()).map((r) => new URL(r.url).pathname);
        }"""
    )
    assert reverse("offline") in shell
    # The offline page and the queue's page hold nothing personal; the rest is static files.
    plain = {reverse("offline"), reverse("offline-queue")}
    assert all(path in plain or path.startswith("/static/") for path in shell)
