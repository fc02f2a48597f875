"""Saving without a signal on a phone: the committee ticks a meeting's attendance and a chair
evaluates two activities offline; everything waits on the phone ("menunggu dikirim") and reaches
the portal once when the signal is back, however often it is sent; an evaluation whose window
closed meanwhile stays on the phone with the portal's reason. The ledger counts them all like
submissions made online."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Evaluation
from delivery.models import Attendance
from rtkeren.models import (
    ActivityStatus,
    ActivityTransition,
    OfflineSubmission,
    Participation,
    Role,
    Stage,
)
from rtkeren.services.ledger import distinct_participants
from tests import factories
from tests.assessment.factories import delivered_activity
from tests.browser.helpers import blitar_rt, fits_phone, log_in
from tests.browser.test_offline import KEPT_PAGES, wait_until
from tests.delivery.factories import approved_activity, meeting_at

pytestmark = pytest.mark.usefixtures("transactional_db")

# The catalogue may say either until its Indonesian entry is compiled (see locale/).
WAITING = re.compile("Menunggu dikirim|Waiting to be sent")
QUEUE = "() => RTKerenOfflineQueue.queue.all()"
# One after the other, and not while the service worker's sync is sending: the test database
# (SQLite in memory) takes one request at a time.
RESEND = """(items) => navigator.locks.request("rtkeren-offline-queue", async () => {
  const answers = [];
  for (const item of items) {
    answers.push(await RTKerenOfflineQueue.send(item, false));
  }
  return answers;
})"""


def _save(page):
    page.locator("form[data-offline-queue] button.btn-lg").click()
    page.locator("[data-offline-status]").wait_for(state="visible")


def _evaluate_offline(page, url):
    page.goto(url)
    for radio in page.locator('input[type="radio"][name^="score_"][value="4"]').all():
        radio.check()
    page.locator("textarea[name=obstacles]").fill("Hujan, pertemuan mundur.")
    _save(page)


def test_saved_offline_and_sent_once_when_the_signal_is_back(
    installed_phone, live_server, screenshot
):
    rt = blitar_rt()
    period = factories.PeriodFactory()
    chair, chair_resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    officer = factories.make_user_with_role(Role.OFFICER, "petugas", kelurahan=rt.rw.kelurahan)
    running = approved_activity(rt, period=period, status=ActivityStatus.IN_DELIVERY)
    meeting = meeting_at(running, timezone.now(), title="Latihan karawitan")
    crowd = [factories.ResidentFactory(rt=rt, name=f"Warga Hadir {n}") for n in range(1, 7)]
    first, second, closing = (
        delivered_activity(by=officer, rt=rt, period=period, title=title)
        for title in ("Pelatihan membatik", "Pentas seni", "Gotong royong")
    )
    page, context = installed_phone, installed_phone.context
    log_in(page, live_server, chair)
    attendance_url = live_server.url + reverse("delivery:meeting-attendance", args=[meeting.pk])
    evaluation_urls = [
        live_server.url + reverse("assessment:evaluation-edit", args=[activity.pk])
        for activity in (first, second, closing)
    ]

    # Online: the worker installs, and keeps the pages as they are opened.
    page.goto(live_server.url + reverse("home"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    for url in (attendance_url, *evaluation_urls):
        page.goto(url)
    assert wait_until(page, lambda: len(page.evaluate(KEPT_PAGES)) == 4)

    # Offline: five ticks and three evaluations wait on the phone.
    context.set_offline(True)
    page.goto(attendance_url)
    for resident in crowd[:5]:
        page.get_by_label(resident.name).check()
    _save(page)
    assert fits_phone(page)
    screenshot(page, "attendance-waiting")
    for url in evaluation_urls:
        _evaluate_offline(page, url)
    assert not Attendance.objects.exists()
    assert not Evaluation.objects.exists()

    page.goto(live_server.url + reverse("offline-queue"))
    page.locator('[data-offline-item="waiting"]').nth(3).wait_for()
    assert page.locator("[data-offline-item]").count() == 4
    assert page.get_by_text(WAITING).count() >= 4
    assert fits_phone(page)
    screenshot(page, "queue-offline")
    kept = page.evaluate(QUEUE)

    # Meanwhile the third activity's evaluation window closes on the portal.
    closed_at = timezone.now() - datetime.timedelta(days=40)
    ActivityTransition.objects.filter(activity=closing).update(at=closed_at)
    type(closing).objects.filter(pk=closing.pk).update(status_changed_at=closed_at)

    # The signal is back: the page sends by itself, and "Send now" sends again.
    context.set_offline(False)
    page.get_by_role("button", name=re.compile("Kirim sekarang|Send now")).click()
    page.locator("[data-offline-item]").nth(1).wait_for(state="detached")
    conflict = page.locator('[data-offline-item="conflict"]')
    conflict.wait_for()
    assert "Masa penilaian kegiatan ini berakhir" in conflict.inner_text()
    assert "Gotong royong" in conflict.inner_text()
    screenshot(page, "queue-conflict")

    # Every kept submission sent once more, as a second sync would: nothing changes.
    answers = page.evaluate(RESEND, kept)
    assert sorted(answer["state"] for answer in answers) == [
        "applied",
        "applied",
        "applied",
        "refused",
    ]

    assert set(meeting.attendances.values_list("resident", flat=True)) == {
        resident.pk for resident in crowd[:5]
    }
    assert Attendance.objects.count() == 5
    assert set(Evaluation.objects.values_list("activity", flat=True)) == {first.pk, second.pk}
    assert Evaluation.objects.filter(evaluator=chair).count() == 2
    assert OfflineSubmission.objects.count() == 4
    remaining = page.evaluate(QUEUE)
    assert [item["state"] for item in remaining] == ["conflict"]

    # The ledger counts what was sent from the phone as it counts the online forms.
    delivery = Participation.objects.filter(stage=Stage.DELIVERY, activity=running)
    assert delivery.count() == 5
    assert set(delivery.values_list("recorded_by", flat=True)) == {chair.pk}
    assessment = Participation.objects.filter(stage=Stage.ASSESSMENT)
    assert set(assessment.values_list("resident", "activity")) == {
        (chair_resident.pk, first.pk),
        (chair_resident.pk, second.pk),
    }
    assert distinct_participants(period=period, stage=Stage.ASSESSMENT, rt=rt) == 1
    assert distinct_participants(period=period, stage=Stage.DELIVERY, rt=rt) == 5


def test_online_the_form_saves_as_before_through_the_queue(installed_phone, live_server):
    """With a signal, saving goes straight through: the next page says it was saved, and
    nothing stays on the phone."""
    rt = blitar_rt()
    period = factories.PeriodFactory()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    running = approved_activity(rt, period=period, status=ActivityStatus.IN_DELIVERY)
    meeting = meeting_at(running, timezone.now(), title="Latihan tari")
    resident = factories.ResidentFactory(rt=rt, name="Warga Tepat Waktu")
    page = installed_phone
    log_in(page, live_server, chair)

    page.goto(live_server.url + reverse("delivery:meeting-attendance", args=[meeting.pk]))
    page.get_by_label(resident.name).check()
    page.locator("form[data-offline-queue] button.btn-lg").click()
    page.locator(".messages .alert-success").wait_for()
    assert list(meeting.attendances.values_list("resident", flat=True)) == [resident.pk]
    assert page.evaluate(QUEUE) == []
    assert OfflineSubmission.objects.get().outcome == "applied"


def test_the_service_worker_sends_the_queue_with_no_page_open(installed_phone, live_server):
    """What Background Sync runs when the signal is back: the worker's own copy of the queue
    sends it, with the form's token, though no page of the portal is open."""
    rt = blitar_rt()
    chair, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=chair, role=Role.RT_CHAIR, rt=rt)
    running = approved_activity(rt, period=factories.PeriodFactory(), status="in_delivery")
    meeting = meeting_at(running, timezone.now(), title="Latihan hadrah")
    resident = factories.ResidentFactory(rt=rt, name="Warga Hadrah")
    page, context = installed_phone, installed_phone.context
    log_in(page, live_server, chair)
    url = live_server.url + reverse("delivery:meeting-attendance", args=[meeting.pk])
    page.goto(live_server.url + reverse("home"))
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.goto(url)
    assert wait_until(page, lambda: len(page.evaluate(KEPT_PAGES)) == 1)

    context.set_offline(True)
    page.goto(url)
    page.get_by_label(resident.name).check()
    _save(page)
    page.goto("about:blank")
    context.set_offline(False)
    [worker] = context.service_workers
    # The worker may get to it first by itself (Background Sync), and a lost answer is sent
    # again: until the queue is empty, as the phone would on each occasion.
    for _attempt in range(3):
        worker.evaluate("() => self.RTKerenOfflineQueue.flush()")
        if not worker.evaluate("() => self.RTKerenOfflineQueue.queue.all()"):
            break

    assert worker.evaluate("() => self.RTKerenOfflineQueue.queue.all()") == []
    assert OfflineSubmission.objects.get().outcome == "applied"
    assert list(meeting.attendances.values_list("resident", flat=True)) == [resident.pk]
