"""The co-assessment exports: evaluations side by side per activity, and follow-ups."""

import datetime

import pytest

from assessment.models import Criterion, FollowUp, Side
from rtkeren.models import ActivityStatus, ExportAudit
from tests import factories as core
from tests.core.exports_support import (
    assert_laid_out,
    body,
    download,
    queries_for,
    sheet_rows,
    unpacked_text,
)

from . import factories

pytestmark = pytest.mark.django_db

EXPORTS = ["evaluasi", "tindak-lanjut"]


def _scores(**values):
    return {c.code: values.get(c.code.replace("-", "_"), 4) for c in Criterion.objects.all()}


@pytest.fixture
def evaluated(activity, officer, facilitator, rt_chair, rt):
    """Two community evaluations (one recorded on behalf of a resident) and two government ones."""
    wulan = core.UserFactory(first_name="Wulan", last_name="Sasmita")
    factories.EvaluationFactory(
        activity=activity,
        evaluator=wulan,
        scores=_scores(manfaat=2, luaran_produk=1),
        obstacles="Bahan kain kurang.",
        suggestions="Tambah pertemuan.",
    )
    factories.EvaluationFactory(
        activity=activity,
        evaluator=None,
        resident=core.ResidentFactory(rt=rt, name="Mbah Sarinah"),
        on_behalf=True,
        recorded_by=rt_chair,
        scores=_scores(manfaat=3, luaran_produk=2),
        obstacles="Tempat sempit.",
        suggestions="",
    )
    for evaluator, manfaat in ((officer, 4), (facilitator, 3)):
        factories.EvaluationFactory(
            activity=activity,
            side=Side.GOVERNMENT,
            evaluator=evaluator,
            scores=_scores(manfaat=manfaat),
            obstacles="",
            suggestions="",
        )
    return activity


def _expected_header() -> list[str]:
    names = [criterion.name for criterion in Criterion.objects.order_by("order", "pk")]
    pairs = [
        header
        for name in names
        for header in (f"Rata-rata warga: {name}", f"Rata-rata pemerintah: {name}")
    ]
    return [
        "Judul",
        "Kelurahan",
        "RT / RW",
        "Periode",
        "Penilai dari warga",
        "Penilai dari pemerintah",
        *pairs,
        *[f"Selisih warga dan pemerintah ≥ 1: {name}" for name in names],
        "Hambatan",
        "Saran",
    ]


def test_evaluations_export_has_averages_per_side_and_divergence(client, officer, evaluated):
    client.force_login(officer)

    header, *rows = sheet_rows(body(download(client, "evaluasi")))

    assert list(header) == _expected_header()
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Judul"] == evaluated.title
    assert row["RT / RW"] == "RT 002 / RW 007"
    assert row["Periode"] == evaluated.period.year
    assert (row["Penilai dari warga"], row["Penilai dari pemerintah"]) == (2, 2)
    assert row["Rata-rata warga: Manfaat"] == 2.5
    assert row["Rata-rata pemerintah: Manfaat"] == 3.5
    assert row["Rata-rata warga: Luaran/produk"] == 1.5
    assert row["Rata-rata pemerintah: Luaran/produk"] == 4
    assert row["Rata-rata warga: Kualitas pelaksanaan"] == 4
    assert row["Selisih warga dan pemerintah ≥ 1: Manfaat"] == "ya"
    assert row["Selisih warga dan pemerintah ≥ 1: Luaran/produk"] == "ya"
    assert row["Selisih warga dan pemerintah ≥ 1: Kualitas pelaksanaan"] == "tidak"
    assert sorted(row["Hambatan"].split("\n")) == ["Bahan kain kurang.", "Tempat sempit."]
    assert row["Saran"] == "Tambah pertemuan."


def test_evaluations_export_names_no_evaluator(client, officer, facilitator, rt_chair, evaluated):
    client.force_login(officer)

    inside = unpacked_text(body(download(client, "evaluasi")))

    names = ["Wulan", "Sasmita", "Mbah Sarinah"]
    names += [user.get_full_name() for user in (officer, facilitator, rt_chair)]
    for name in names:
        assert name not in inside


def test_a_criterion_without_scores_has_empty_cells(client, officer, evaluated):
    Criterion.objects.create(code="keberlanjutan", name="Keberlanjutan", order=99)
    client.force_login(officer)

    header, row = sheet_rows(body(download(client, "evaluasi")))

    found = dict(zip(header, row, strict=True))
    assert found["Rata-rata warga: Keberlanjutan"] is None
    assert found["Rata-rata pemerintah: Keberlanjutan"] is None
    assert found["Selisih warga dan pemerintah ≥ 1: Keberlanjutan"] is None


def test_only_delivered_and_evaluated_activities(client, officer, evaluated, rt, period):
    core.ActivityFactory(rt=rt, period=period, status=ActivityStatus.IN_DELIVERY)
    client.force_login(officer)

    _header, *rows = sheet_rows(body(download(client, "evaluasi")))

    assert [row[0] for row in rows] == [evaluated.title]


@pytest.fixture
def follow_up(evaluated, rt_chair):
    return factories.FollowUpFactory(
        activity=evaluated,
        owner=rt_chair,
        created_by=rt_chair,
        due_on=datetime.date(2026, 7, 1),
        status=FollowUp.Status.DONE,
        resolution="Kontrak pelatih sudah ditandatangani.",
    )


def test_follow_ups_export(client, officer, rt_chair, follow_up):
    client.force_login(officer)

    header, *rows = sheet_rows(body(download(client, "tindak-lanjut")))

    assert list(header) == [
        "Kegiatan",
        "Kelurahan",
        "RT / RW",
        "Hambatan",
        "Tindakan",
        "Penanggung jawab",
        "Tenggat",
        "Status",
        "Penyelesaian",
    ]
    assert rows == [
        (
            follow_up.activity.title,
            follow_up.activity.kelurahan.name,
            "RT 002 / RW 007",
            follow_up.obstacle,
            follow_up.action,
            rt_chair.get_full_name(),
            datetime.datetime(2026, 7, 1),
            str(FollowUp.Status.DONE.label),
            "Kontrak pelatih sudah ditandatangani.",
        )
    ]


@pytest.fixture
def foreign(foreign_rt, foreign_officer):
    """A delivered, evaluated activity of Kelurahan Pakunden, with a follow-up."""
    activity = factories.delivered_activity(
        by=foreign_officer, rt=foreign_rt, title="Kegiatan Pakunden"
    )
    factories.EvaluationFactory(activity=activity)
    factories.FollowUpFactory(activity=activity, owner=foreign_officer)
    return activity


@pytest.mark.parametrize("name", EXPORTS)
def test_the_header_row_is_frozen_and_columns_fit_their_content(client, officer, follow_up, name):
    client.force_login(officer)

    assert_laid_out(body(download(client, name)))


@pytest.mark.parametrize("name", EXPORTS)
def test_officer_gets_only_their_kelurahan(client, officer, follow_up, foreign, name):
    client.force_login(officer)

    _header, *rows = sheet_rows(body(download(client, name)))

    assert [row[0] for row in rows] == [follow_up.activity.title]


@pytest.mark.parametrize("name", EXPORTS)
def test_foreign_officer_gets_nothing_of_another_kelurahan(
    client, foreign_officer, kelurahan, follow_up, name
):
    client.force_login(foreign_officer)

    assert download(client, name, kelurahan=kelurahan.pk).status_code == 404
    _header, *rows = sheet_rows(body(download(client, name)))
    assert rows == []


@pytest.mark.parametrize("name", EXPORTS)
def test_city_viewer_gets_the_whole_city(client, city_viewer, follow_up, foreign, name):
    client.force_login(city_viewer)

    _header, *rows = sheet_rows(body(download(client, name)))

    assert {row[0] for row in rows} == {follow_up.activity.title, "Kegiatan Pakunden"}


@pytest.mark.parametrize("persona", ["rt_chair", "facilitator", "resident_user"])
@pytest.mark.parametrize("name", EXPORTS)
def test_chairs_facilitators_and_residents_are_refused(client, request, persona, name):
    client.force_login(request.getfixturevalue(persona))

    assert download(client, name).status_code == 403
    assert not ExportAudit.objects.exists()


def test_download_is_audited(client, officer, kelurahan, follow_up):
    client.force_login(officer)

    download(client, "evaluasi")

    audit = ExportAudit.objects.get()
    assert (audit.user, audit.export, audit.kelurahan) == (officer, "evaluasi", kelurahan)
    assert audit.row_count == 1


@pytest.mark.parametrize("name", EXPORTS)
def test_query_count_does_not_grow_with_rows(
    client, officer, facilitator, rt, period, community, name
):
    client.force_login(officer)

    def add(count):
        for _ in range(count):
            activity = factories.delivered_activity(by=officer, rt=rt, period=period)
            factories.EvaluationFactory(activity=activity)
            factories.EvaluationFactory(activity=activity, side=Side.GOVERNMENT)
            factories.FollowUpFactory(activity=activity, owner=facilitator)

    add(1)
    one = queries_for(client, name)
    add(19)

    assert queries_for(client, name) == one


def test_criteria_are_read_once_for_the_header_and_the_rows(
    client, officer, evaluated, monkeypatch
):
    """An admin adding a criterion while a workbook is written must not make the header and
    the rows disagree (a 500 before): both come from one reading of the criteria."""
    from assessment import exports as assessment_exports

    readings = []
    real = assessment_exports.exported_criteria

    def changing_criteria():
        criteria = real()
        readings.append(len(criteria))
        Criterion.objects.create(code=f"baru{len(readings)}", name=f"Baru {len(readings)}")
        return criteria

    monkeypatch.setattr(assessment_exports, "exported_criteria", changing_criteria)
    client.force_login(officer)

    header, row = sheet_rows(body(download(client, "evaluasi")))

    assert len(readings) == 1
    assert len(header) == len(row) == 6 + 3 * readings[0] + 2
