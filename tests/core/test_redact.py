"""Residents' names, NIKs and phone numbers are blanked in free text before it is published."""

import pytest
from django.db import connection
from django.utils import translation

from rtkeren.redact import redactor_for
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def redact(*texts):
    redacted = redactor_for(texts)
    return [redacted(text) for text in texts]


def test_a_residents_whole_name_is_blanked_whatever_its_case_and_spacing():
    ResidentFactory(name="Siti Aminah")
    assert redact("Kain batik dari Bu SITI  aminah, 3 meter") == [
        "Kain batik dari Bu [nama warga], 3 meter"
    ]


def test_a_name_with_punctuation_and_the_longest_name_first():
    ResidentFactory(name="H. Ahmad Fauzi")
    ResidentFactory(name="Ahmad")
    assert redact("Honor narasumber H. Ahmad Fauzi; snack dari Ahmad.") == [
        "Honor narasumber [nama warga]; snack dari [nama warga]."
    ]


def test_a_one_word_name_is_blanked_only_where_written_with_a_capital():
    ResidentFactory(name="Kain")
    assert redact("kain batik untuk Kain") == ["kain batik untuk [nama warga]"]


def test_words_that_are_no_residents_name_stay():
    ResidentFactory(name="Siti Aminah")
    text = "Semen 10 sak dari Toko Bangunan Makmur, Siti Rahma"
    assert redact(text) == [text]


def test_nik_and_phone_numbers_are_blanked():
    assert redact("Transfer ke 0812-3456-7890 a.n. NIK 3572021506850001, +62 812 1111 2222") == [
        "Transfer ke [nomor HP] a.n. NIK [NIK], [nomor HP]"
    ]


def test_amounts_and_dates_stay():
    text = "Rp1.500.000 untuk 25 paket, 12/03/2026, kuitansi 2026-0041"
    assert redact(text) == [text]


def test_one_query_for_any_number_of_texts(django_assert_num_queries):
    ResidentFactory(name="Siti Aminah")
    texts = [f"Belanja {number} dari Siti Aminah" for number in range(50)]
    with django_assert_num_queries(1):
        redacted = redactor_for(texts)
    assert {redacted(text) for text in texts} == {
        f"Belanja {number} dari [nama warga]" for number in range(50)
    }


def test_no_query_when_nothing_could_be_a_name(django_assert_num_queries):
    with django_assert_num_queries(0):
        redacted = redactor_for(["semen 10 sak", ""])
    assert redacted("semen 10 sak") == "semen 10 sak"


def test_a_citys_worth_of_text_is_looked_up_at_once_or_in_batches(
    django_assert_num_queries, monkeypatch
):
    """PostgreSQL takes every run of words as one array; SQLite, which takes a limited number
    of parameters a statement, a batch at a time."""
    monkeypatch.setattr("rtkeren.redact.CANDIDATES_PER_QUERY", 10)
    ResidentFactory(name="Siti Aminah")
    texts = [f"Belanja dari Toko {number} Makmur" for number in range(8)]
    texts.append("Konsumsi dari Siti Aminah")
    runs = len(redact_runs(texts))
    assert runs > 10
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else -(-runs // 10)):
        redacted = redactor_for(texts)
    assert redacted(texts[-1]) == "Konsumsi dari [nama warga]"


def redact_runs(texts):
    from rtkeren.redact import _runs

    return set().union(*(_runs(text) for text in texts))
