"""A kelurahan's public page is rendered once and shared by everyone who opens it, until what it
shows changes: an officer's write, by a service or in the admin, shows on the next request;
so does a voting round closing, and a follow-up falling overdue, with the clock alone."""

import datetime

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.models import FollowUp
from assessment.services import follow_up_update
from delivery.models import Output
from delivery.services import output_progress
from designing.services import comment_post
from rtkeren import scopecache
from rtkeren.models import ActivityStatus
from rtkeren.services.activities import activity_approve
from tests import factories
from tests.assessment.factories import FollowUpFactory
from tests.delivery.factories import OutputFactory
from tests.designing.factories import VotingRoundFactory, proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(kelurahan, period):
    return reverse("public-kelurahan", args=[kelurahan.code])


def _page(client, url, **params) -> tuple[str, int]:
    """The page's text without what differs per request, and its queries."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return factories.without_per_request(response.text), len(captured)


def _written(django_capture_on_commit_callbacks, write):
    with django_capture_on_commit_callbacks(execute=True):
        return write()


def test_the_second_visitor_is_served_the_same_page_without_its_queries(
    client, url, rt, period, resident_user
):
    factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.APPROVED, title="Gapura")
    first, first_queries = _page(client, url)

    second, second_queries = _page(Client(), url)
    client.force_login(resident_user)
    as_resident, _queries = _page(client, url)

    assert second == first
    assert "Gapura" in second
    # The kelurahan: what the page reads before it knows what to share (the years are shared
    # too, as every public record).
    assert second_queries == 1 < first_queries
    # The content is everyone's: the resident's navigation around it differs, not the content.
    assert first.split("<main", 1)[1].split("</main>")[0] in as_resident


def test_an_officers_approval_shows_on_the_next_request(
    client, url, rt, period, officer, django_capture_on_commit_callbacks
):
    activity = factories.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.PROPOSED, title="Pelatihan membatik"
    )
    before, _queries = _page(client, url)

    _written(
        django_capture_on_commit_callbacks, lambda: activity_approve(activity=activity, by=officer)
    )
    after, _queries = _page(client, url)

    assert "Pelatihan membatik" not in before
    assert "Pelatihan membatik" in after


def test_a_budget_line_and_a_plain_save_show_on_the_next_request(client, url, rt, period):
    activity = factories.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.APPROVED, title="Kerja bakti"
    )
    before, _queries = _page(client, url)
    factories.BudgetLineFactory(activity=activity, quantity=2, unit_price=1_250_000)
    with_budget, _queries = _page(client, url)
    # As the admin or a shell would: a plain save, no service.
    activity.title = "Kerja bakti saluran"
    activity.save()
    renamed, _queries = _page(client, url)

    assert "Rp2.500.000" not in before
    assert "Rp2.500.000" in with_budget
    assert "Kerja bakti saluran" in renamed


def test_an_outputs_progress_and_a_follow_up_show_on_the_next_request(
    client, url, rt, period, officer, django_capture_on_commit_callbacks
):
    activity = factories.ActivityFactory(
        rt=rt, period=period, status=ActivityStatus.IN_DELIVERY, title="Pelatihan kuliner"
    )
    output = OutputFactory(activity=activity, name="Keripik tempe", target_quantity=10)
    follow_up = FollowUpFactory(activity=activity, owner=officer, action="Cari pemasok kemasan")
    before, _queries = _page(client, url)

    _written(
        django_capture_on_commit_callbacks,
        lambda: output_progress(
            output=output, by=officer, finished_quantity=7, status=Output.Status.IN_PROGRESS
        ),
    )
    progressed, _queries = _page(client, url)
    _written(
        django_capture_on_commit_callbacks,
        lambda: follow_up_update(
            follow_up=follow_up,
            by=officer,
            status=FollowUp.Status.DONE,
            resolution="Pemasok ditemukan",
        ),
    )
    done, _queries = _page(client, url)

    assert "0 / 10 lembar" in before
    assert "7 / 10 lembar" in progressed
    # The public page shows a follow-up's status, not its resolution.
    assert "text-bg-success" not in progressed
    assert "text-bg-success" in done


def test_a_name_entered_in_the_register_is_blanked_from_the_next_request(client, url, rt, period):
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    FollowUpFactory(activity=activity, action="Hubungi Pak Sutrisno Wibowo")
    before, _queries = _page(client, url)

    factories.ResidentFactory(rt=rt, name="Sutrisno Wibowo")
    after, _queries = _page(client, url)

    assert "Sutrisno Wibowo" in before
    assert "Sutrisno Wibowo" not in after


def test_a_round_closing_with_the_clock_shows_its_results_at_once(
    client, url, rt, period, monkeypatch
):
    closes_at = timezone.now() + datetime.timedelta(minutes=30)
    VotingRoundFactory(
        rt=rt,
        period=period,
        title="Putaran musyawarah",
        opens_at=closes_at - datetime.timedelta(days=3),
        closes_at=closes_at,
        proposals=[proposal(rt=rt, period=period)],
    )
    before, _queries = _page(client, url)
    cached, cached_queries = _page(client, url)

    later = closes_at + datetime.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    after, after_queries = _page(client, url)

    assert "Putaran musyawarah" not in before
    assert cached == before
    assert "Putaran musyawarah" in after
    assert after_queries > cached_queries


def test_a_follow_up_falls_overdue_when_the_day_ends(client, url, rt, period, monkeypatch):
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    FollowUpFactory(activity=activity, due_on=timezone.localdate())
    before, _queries = _page(client, url)

    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    after, _queries = _page(client, url)

    assert "Lewat tenggat" not in before
    assert "Lewat tenggat" in after


def test_each_language_and_each_page_of_a_section_is_its_own(client, url, rt, period):
    activity = factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.DELIVERED)
    for index in range(12):
        FollowUpFactory(activity=activity, action=f"Langkah nomor {index:02d}")
    first_page, _queries = _page(client, url)
    second_page, _queries = _page(client, url, **{"tindak-lanjut": "2"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english, _queries = _page(client, url, **{"tindak-lanjut": "2"})

    assert "Langkah nomor 00" in first_page
    assert "Langkah nomor 00" not in second_page
    assert "Halaman 2 dari 2" in second_page
    assert "Page 2 of 2" in english
    assert "Halaman 2 dari 2" not in english


def test_made_up_parameters_are_rendered_for_their_request_alone(client, url, rt, period):
    factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.APPROVED)
    _page(client, url, utm_source="fb")  # the scorecard's figures are cached on their own
    _text, first_queries = _page(client, url, utm_source="wa")
    _text, second_queries = _page(client, url, utm_source="wa")
    _text, shared_first = _page(client, url, page="1")
    _text, shared_second = _page(client, url, page="1")

    assert second_queries == first_queries
    assert shared_second < shared_first


def test_a_comment_leaves_the_shared_pages_in_place(
    rt, period, resident_user, django_capture_on_commit_callbacks
):
    activity = proposal(rt=rt, period=period)
    version = scopecache._tokens([scopecache.PUBLIC])

    _written(
        django_capture_on_commit_callbacks,
        lambda: comment_post(activity=activity, by=resident_user, body="Setuju sekali."),
    )

    assert scopecache._tokens([scopecache.PUBLIC]) == version


def test_a_transaction_renews_the_public_pages_once_on_commit_however_much_it_writes(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for number in range(3):
            factories.InterestFactory(name=f"minat {number}")

    assert callbacks.count(scopecache._bump_public) == 1


def _split(page: str) -> tuple[str, str]:
    """The scorecard's section of a public page, and the rest of the page."""
    start = page.index('<section class="mb-4" aria-labelledby="public-assessment">')
    end = page.index("</section>", start) + len("</section>")
    return page[start:end], page[:start] + page[end:]


def test_a_participation_renews_the_scorecard_alone(
    client, url, rt, period, resident_user, django_capture_on_commit_callbacks
):
    activity = proposal(rt=rt, period=period, title="Sumur resapan")
    factories.ActivityFactory(rt=rt, period=period, status=ActivityStatus.APPROVED, title="Gapura")
    first, first_queries = _page(client, url)
    shared, shared_queries = _page(client, url)
    assert shared == first

    # A comment counts in the kelurahan's scorecard (the ledger changes the kelurahan's
    # version), and in no other part of the page (the public records' version stays).
    _written(
        django_capture_on_commit_callbacks,
        lambda: comment_post(activity=activity, by=resident_user, body="Kami ikut kerja bakti."),
    )
    after, after_queries = _page(client, url)

    card_before, rest_before = _split(first)
    card_after, rest_after = _split(after)
    assert card_after != card_before
    assert rest_after == rest_before
    assert "Gapura" in rest_after
    # The scorecard counted again; the published activities and the sections kept.
    assert shared_queries < after_queries < first_queries
    assert _page(client, url)[1] == shared_queries
