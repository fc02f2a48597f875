"""The stored fit (``designing.fit``) equals its recomputation after every write through the
services, and the pages read it without counting residents."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from designing import fit, selectors, services
from designing.models import ProposalFit
from designing.services import BudgetLineData, ProposalData
from rtkeren.models import Activity, ResidentInterest
from rtkeren.services import accounts
from rtkeren.services.residents import resident_move, resident_record_death
from tests import factories as core
from tests.core.test_verification import register

from .factories import proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def batik(db):
    return core.InterestFactory(slug="membatik")


@pytest.fixture
def tari(db):
    return core.InterestFactory(slug="tari")


def _data(interests) -> ProposalData:
    return ProposalData(
        title="Kelas membatik remaja",
        kind=Activity.Kind.TRAINING,
        nature=Activity.Nature.NONFISIK,
        bidang=Activity.Bidang.HUMAN_DEVELOPMENT,
        funding_source=Activity.Funding.RT_KEREN,
        expected_outputs="20 lembar batik",
        budget_lines=[BudgetLineData("Kain mori", 20, "lembar", 35_000)],
        interests=interests,
    )


def _draft(by, place, period, interests) -> Activity:
    return services.proposal_create(by=by, place=place, period=period, data=_data(interests))


def _stored(activity) -> int | None:
    return ProposalFit.objects.filter(activity=activity).values_list("residents", flat=True).first()


def _recomputed(activity) -> int:
    queryset = Activity.objects.filter(pk=activity.pk)
    return fit.with_computed_fit(queryset, timezone.localdate()).get().computed_fit


def _assert_up_to_date(activity, expected: int) -> None:
    assert _recomputed(activity) == expected
    assert _stored(activity) == expected
    assert fit.fit_differences() == []


def _add_interests(user, *interests) -> None:
    accounts.profile_update(
        user=user,
        email=user.email,
        language="id",
        interests={ResidentInterest.Kind.INTEREST: list(interests)},
    )


def test_a_new_proposal_has_its_fit_stored(resident_user, rt, period, batik):
    core.ResidentFactory.create_batch(2, rt=rt, interests=[batik])

    activity = _draft(resident_user, rt, period, [batik])

    _assert_up_to_date(activity, 2)


def test_a_resident_adds_an_interest(resident_user, rt, period, batik, tari):
    activity = _draft(resident_user, rt, period, [batik])
    assert _stored(activity) == 0

    _add_interests(resident_user, batik, tari)

    _assert_up_to_date(activity, 1)


def test_a_resident_is_verified(resident_user, rt, rt_chair, period, batik):
    pending = register(rt)
    ResidentInterest.objects.create(resident=pending, interest=batik)
    activity = _draft(resident_user, rt, period, [batik])
    assert _stored(activity) == 0

    accounts.resident_verify(resident=pending, by=rt_chair)

    _assert_up_to_date(activity, 1)


def test_a_resident_moves_to_another_rt(
    resident_user, other_rt_chair, rt, other_rt, officer, period, batik
):
    mover = core.ResidentFactory(rt=rt, interests=[batik])
    here = _draft(resident_user, rt, period, [batik])
    there = _draft(other_rt_chair, other_rt, period, [batik])
    assert (_stored(here), _stored(there)) == (1, 0)

    resident_move(
        by=officer, resident=mover, happened_on=timezone.localdate(), note="Pindah", to_rt=other_rt
    )

    _assert_up_to_date(here, 0)
    _assert_up_to_date(there, 1)


def test_a_resident_moves_to_another_kelurahan(
    resident_user, rt, foreign_rt, officer, period, batik
):
    mover = core.ResidentFactory(rt=rt, interests=[batik])
    here = _draft(resident_user, rt, period, [batik])
    assert _stored(here) == 1

    resident_move(
        by=officer,
        resident=mover,
        happened_on=timezone.localdate(),
        note="Pindah",
        to_rt=foreign_rt,
    )

    _assert_up_to_date(here, 0)


def test_a_resident_dies(resident_user, rt, officer, period, batik):
    resident = core.ResidentFactory(rt=rt, interests=[batik])
    activity = _draft(resident_user, rt, period, [batik])
    assert _stored(activity) == 1

    resident_record_death(
        by=officer, resident=resident, happened_on=timezone.localdate(), note="Wafat"
    )

    _assert_up_to_date(activity, 0)


def test_a_proposal_s_interests_change(resident_user, rt, period, batik, tari):
    core.ResidentFactory(rt=rt, interests=[batik])
    core.ResidentFactory.create_batch(2, rt=rt, interests=[tari])
    activity = _draft(resident_user, rt, period, [batik])
    assert _stored(activity) == 1

    services.proposal_update(
        activity=activity,
        by=resident_user,
        version=services.version_of(activity),
        data=_data([batik, tari]),
    )

    _assert_up_to_date(activity, 3)


def test_a_kelurahan_wide_proposal(resident_user, rt, other_rt, foreign_rt, period, batik):
    core.ResidentFactory(rt=rt, interests=[batik])
    core.ResidentFactory(rt=foreign_rt, interests=[batik])
    activity = _draft(resident_user, rt.rw.kelurahan, period, [batik])
    assert activity.rt is None
    assert _stored(activity) == 1

    newcomer, _resident = core.make_resident_user(other_rt, "pendatang")
    _add_interests(newcomer, batik)

    _assert_up_to_date(activity, 2)


def test_a_resident_turning_17_counts_from_the_next_page(
    client, settings, resident_user, rt, period, batik
):
    settings.DESIGNING_FIT_DAILY_REFRESH = True
    today = timezone.localdate()
    core.ResidentFactory(rt=rt, interests=[batik], birth_date=today.replace(year=today.year - 17))
    activity = _draft(resident_user, rt, period, [batik])
    # As stored yesterday, when the resident was 16.
    ProposalFit.objects.filter(activity=activity).update(
        residents=0, computed_on=today - datetime.timedelta(days=1)
    )
    fit._fresh_on = None
    client.force_login(resident_user)

    client.get(reverse("designing:proposal-list") + "?order=fit")

    _assert_up_to_date(activity, 1)
    with CaptureQueriesContext(connection) as captured:
        assert fit.fits_refresh_stale() == 0
    assert len(captured) == 0


def test_the_ledger_check_compares_the_fits(capsys, resident_user, rt, period, batik):
    activity = _draft(resident_user, rt, period, [batik])
    call_command("ledger", "check")
    assert "The proposals' fit equals its recomputation." in capsys.readouterr().out

    ProposalFit.objects.filter(activity=activity).update(residents=5)
    with pytest.raises(SystemExit):
        call_command("ledger", "check")
    assert f"fit of proposal {activity.pk}: stored 5, recomputed 0" in capsys.readouterr().out


def test_a_proposal_without_a_stored_fit_shows_zero(rt, period, batik):
    core.ResidentFactory(rt=rt, interests=[batik])
    activity = proposal(rt=rt, period=period)  # written directly, as no service does
    activity.interests.set([batik])

    listed = selectors.with_fit(Activity.objects.filter(pk=activity.pk)).get()

    assert listed.fit == 0
    assert fit.fit_differences() == [f"fit of proposal {activity.pk}: stored None, recomputed 1"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _first_of_the_day(client, url) -> int:
    """The queries of the first page of the day, every fit computed yesterday."""
    ProposalFit.objects.update(computed_on=timezone.localdate() - datetime.timedelta(days=1))
    fit._fresh_on = None
    return _queries(client, url)


def test_the_daily_refresh_costs_the_same_with_one_and_many_proposals(
    client, settings, resident_user, rt, period, batik
):
    settings.DESIGNING_FIT_DAILY_REFRESH = True
    client.force_login(resident_user)
    url = reverse("designing:proposal-list") + "?order=fit"
    core.ResidentFactory(rt=rt, interests=[batik])
    _draft(resident_user, rt, period, [batik])
    one_first, one = _first_of_the_day(client, url), _queries(client, url)

    for _ in range(15):
        _draft(resident_user, rt, period, [batik])
    core.ResidentFactory.create_batch(3, rt=rt, interests=[batik])

    assert _first_of_the_day(client, url) == one_first
    assert _queries(client, url) == one
    assert fit.fit_differences() == []


def test_many_changed_residents_cost_as_many_fit_queries_as_a_few(resident_user, rt, period, batik):
    activity = _draft(resident_user, rt, period, [batik])
    few = [core.ResidentFactory(rt=rt, interests=[batik]).pk for _ in range(2)]
    with CaptureQueriesContext(connection) as captured_few:
        fit.residents_changed(few, [])
    assert _stored(activity) == 2

    many = [core.ResidentFactory(rt=rt, interests=[batik]).pk for _ in range(12)]
    with CaptureQueriesContext(connection) as captured_many:
        fit.residents_changed(few + many, [])

    assert len(captured_few) == len(captured_many)
    _assert_up_to_date(activity, 14)
