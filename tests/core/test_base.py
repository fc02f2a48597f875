"""The scorecard base: who is in it (moves, deaths, pending and rejected registrations), that a
closed period's base stays as it was, and that the stored entries equal their recomputation."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessment import scorecard
from assessment.scorecard import Scope
from commissioning.services import KIND_FORUM_ATTENDED
from rtkeren.models import BaseEntry, DeletionRequest, Resident, Stage
from rtkeren.services.accounts import registration_submit, resident_reject, resident_verify
from rtkeren.services.base import base_differences, base_repair, expected_base
from rtkeren.services.ledger import participation_record
from rtkeren.services.privacy import deletion_request_complete
from rtkeren.services.residents import resident_move, resident_record_death
from tests import factories

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


# An adult at the start of last year's period too, whatever day the tests run.
BORN = datetime.date(1980, 5, 1)


def _day_in(period) -> datetime.date:
    """A day of ``period`` that is not in the future (moves and deaths cannot be)."""
    return max(period.starts_on, today() - datetime.timedelta(days=7))


def _took_part(resident, subject, period):
    return participation_record(
        resident=resident, kind=KIND_FORUM_ATTENDED, subject=subject, period=period
    )


def _card(period, **scope):
    return scorecard.scorecard(scope=Scope(**scope), period=period)


def _commissioning(card):
    result = card.result(Stage.COMMISSIONING)
    return result.participants, card.base, result.rate


def _ledger_check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("ledger", "check", stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


def test_residents_who_moved_within_the_city_count_once_and_never_over_100(
    kelurahan, rt, other_rt, period, officer
):
    stayer = factories.ResidentFactory(rt=rt)
    movers = [factories.ResidentFactory(rt=rt) for _ in range(2)]
    for mover in movers:
        _took_part(mover, rt, period)
        resident_move(
            by=officer, resident=mover, happened_on=_day_in(period), note="Pindah", to_rt=other_rt
        )
        mover.refresh_from_db()
        _took_part(mover, other_rt, period)

    # Both RTs hold the movers for this period; the stayer took no part.
    assert _commissioning(_card(period, rt=rt)) == (2, 3, 66.7)
    assert _commissioning(_card(period, rt=other_rt)) == (2, 2, 100.0)
    assert _commissioning(_card(period, kelurahan=kelurahan)) == (2, 3, 66.7)
    for card in scorecard.compare_rts(kelurahan=kelurahan, period=period):
        assert all(result.rate is None or result.rate <= 100 for result in card.stages)
    assert BaseEntry.objects.filter(resident=stayer, period=period).count() == 1
    assert not base_differences()


def test_a_move_and_back_is_one_entry_in_the_first_rt(rt, other_rt, period, officer):
    resident = factories.ResidentFactory(rt=rt)
    day = _day_in(period)
    resident_move(by=officer, resident=resident, happened_on=day, note="Pindah", to_rt=other_rt)
    resident_move(by=officer, resident=resident, happened_on=day, note="Kembali", to_rt=rt)

    entries = BaseEntry.objects.filter(resident=resident, period=period)
    assert sorted(entries.values_list("rt_id", "since", "until")) == sorted(
        [(rt.pk, period.starts_on, None), (other_rt.pk, day, day)]
    )
    assert _card(period, rt=rt).base == 1
    assert not base_differences()


def test_a_resident_who_died_stays_in_the_base_of_the_year_and_their_part_counts(
    rt, period, officer
):
    resident = factories.ResidentFactory(rt=rt)
    _took_part(resident, rt, period)
    died_on = _day_in(period)

    resident_record_death(by=officer, resident=resident, happened_on=died_on, note="Sakit")

    assert _commissioning(_card(period, rt=rt)) == (1, 1, 100.0)
    entry = BaseEntry.objects.get(resident=resident, period=period)
    assert (entry.rt_id, entry.since, entry.until) == (rt.pk, period.starts_on, died_on)
    assert not base_differences()


def test_a_resident_who_moved_away_before_the_period_is_not_in_its_base(rt, period, officer):
    last_year = factories.PeriodFactory(year=period.year - 1)
    resident = factories.ResidentFactory(rt=rt, birth_date=BORN)
    moved_on = period.starts_on - datetime.timedelta(days=10)

    resident_move(by=officer, resident=resident, happened_on=moved_on, note="Ke Malang")

    assert _card(period, rt=rt).base == 0
    assert _card(last_year, rt=rt).base == 1
    assert not BaseEntry.objects.filter(resident=resident, period=period).exists()
    assert not base_differences()


def _register(rt, number: int) -> Resident:
    born = datetime.date(1990, 5, 17)
    user = registration_submit(
        username=f"pendaftar{number}",
        name=f"Pendaftar Nomor {number}",
        nik=factories.make_nik(born, "P", 100 + number),
        birth_date=born,
        rt=rt,
        password="Kembang-Desa-88",
    )
    return user.resident


def test_pending_and_rejected_registrations_never_count_and_a_confirmed_one_does(
    rt, period, rt_chair, django_capture_on_commit_callbacks
):
    before = _card(period, rt=rt).base
    registrants = [_register(rt, number) for number in range(12)]

    assert _card(period, rt=rt).base == before

    # Each decision commits, as outside a test, and the scorecard follows the base it wrote.
    with django_capture_on_commit_callbacks(execute=True):
        resident_reject(resident=registrants[0], by=rt_chair, reason="Bukan warga RT ini")
    assert _card(period, rt=rt).base == before
    with django_capture_on_commit_callbacks(execute=True):
        resident_verify(resident=registrants[1], by=rt_chair)
    assert _card(period, rt=rt).base == before + 1
    assert BaseEntry.objects.filter(resident=registrants[1], period=period).exists()
    assert not BaseEntry.objects.filter(resident=registrants[0]).exists()
    assert not base_differences()


def test_a_closed_period_keeps_its_base_through_moves_and_verifications(
    rt, other_rt, period, officer, rt_chair
):
    last_year = factories.PeriodFactory(year=period.year - 1)
    mover = factories.ResidentFactory(rt=rt, birth_date=BORN)
    registrant = _register(rt, 1)
    last_year.is_open = False
    last_year.save()
    frozen = set(BaseEntry.objects.filter(period=last_year).values_list("resident_id", "rt_id"))

    moved_on = last_year.ends_on - datetime.timedelta(days=30)
    resident_move(by=officer, resident=mover, happened_on=moved_on, note="Pindah", to_rt=other_rt)
    resident_verify(resident=registrant, by=rt_chair)

    assert (mover.pk, rt.pk) in frozen
    assert registrant.pk not in {resident_id for resident_id, _rt_id in frozen}
    assert set(BaseEntry.objects.filter(period=last_year).values_list("resident_id", "rt_id")) == (
        frozen
    )
    # The recomputation would now differ: the closed period is not compared.
    assert {(key[1], key[2]) for key in expected_base(last_year)} != frozen
    assert _card(last_year, rt=other_rt).base == 0
    assert _card(period, rt=other_rt).base == 1
    assert BaseEntry.objects.filter(period=period, resident=registrant, rt=rt).exists()
    assert not base_differences()


def test_an_entry_changed_by_hand_is_reported_and_repaired(rt, other_rt, period):
    kept = factories.ResidentFactory(rt=rt)
    removed = factories.ResidentFactory(rt=rt)
    deleted = BaseEntry.objects.get(resident=removed, period=period)
    deleted.delete()
    added = BaseEntry.objects.create(
        period=period,
        resident=kept,
        rt=other_rt,
        kelurahan=other_rt.rw.kelurahan,
        since=period.starts_on,
    )

    differences = base_differences()
    code, output = _ledger_check()

    assert [row.key for row in differences.missing] == [(period.pk, removed.pk, rt.pk)]
    assert [row.key for row in differences.extra] == [(period.pk, kept.pk, other_rt.pk)]
    assert code == 1
    assert f"base missing: period={period.pk} resident={removed.pk} rt={rt.pk}" in output
    assert f"base extra: period={period.pk} resident={kept.pk} rt={other_rt.pk}" in output
    assert "1 missing, 1 extra, 0 changed base entries differ." in output

    repaired = base_repair()

    assert (len(repaired.missing), len(repaired.extra)) == (1, 1)
    assert not BaseEntry.objects.filter(pk=added.pk).exists()
    assert BaseEntry.objects.filter(resident=removed, period=period, rt=rt).exists()
    assert not base_differences()
    assert _ledger_check()[0] == 0


def test_ledger_repair_mends_the_base_too(rt, period):
    resident = factories.ResidentFactory(rt=rt)
    BaseEntry.objects.filter(resident=resident).update(since=period.ends_on)
    out = io.StringIO()

    call_command("ledger", "repair", stdout=out)

    assert f"base changed: period={period.pk} resident={resident.pk}" in out.getvalue()
    assert "0 missing, 0 extra, 1 changed base entries repaired." in out.getvalue()
    assert not base_differences()


def test_an_anonymised_resident_leaves_the_open_base_and_a_closed_one_keeps_them(
    rt, period, officer
):
    last_year = factories.PeriodFactory(year=period.year - 1)
    resident = factories.ResidentFactory(rt=rt, birth_date=BORN)
    last_year.is_open = False
    last_year.save()
    request = DeletionRequest.objects.create(resident=resident, reason="Minta dihapus")

    deletion_request_complete(request=request, by=officer)

    # Without a birth date nobody can tell they were an adult this year.
    assert not BaseEntry.objects.filter(resident=resident, period=period).exists()
    assert BaseEntry.objects.filter(resident=resident, period=last_year).exists()
    assert not base_differences()
