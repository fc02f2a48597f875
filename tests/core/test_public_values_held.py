"""Values of public records a logged-in person's page reads (a select's options, the periods):
taken from the process itself when the request read the public records' version ahead with the
person's account and it is the one they were read under; never believed past a change of that
version, by this process or another, nor by anything after the request."""

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from rtkeren import scopecache
from rtkeren.models import Period
from rtkeren.scopecache import PUBLIC, cached_public_value
from tests import factories

pytestmark = pytest.mark.django_db

OPTIONS = f"{scopecache.PREFIX}:public-value:options:"


@pytest.fixture
def cache_reads(monkeypatch):
    """The keys of every cache read of values of public records (``get_many``)."""
    backend = caches["default"]
    read = backend.get_many
    asked: list[str] = []

    def get_many(keys, *args, **kwargs):
        asked.extend(key for key in keys if ":public-value:" in key)
        return read(keys, *args, **kwargs)

    monkeypatch.setattr(backend, "get_many", get_many)
    return asked


@pytest.fixture
def reader(client, resident_user):
    client.force_login(resident_user)
    return client


def test_a_persons_later_page_reads_the_options_from_the_process(reader, period, cache_reads):
    url = reverse("designing:proposal-list")
    reader.get(url)
    reader.get(url)
    cache_reads.clear()

    response = reader.get(url)

    assert response.status_code == 200
    assert [key for key in cache_reads if key.startswith(OPTIONS)] == []
    assert f">{period}</option>" in response.content.decode()


def test_a_period_saved_shows_in_the_options_on_the_next_request(reader, period):
    url = reverse("designing:proposal-list")
    reader.get(url)
    reader.get(url)

    added = factories.PeriodFactory(year=period.year + 1)

    assert f">{added}</option>" in reader.get(url).content.decode()


def test_a_change_another_process_made_is_read_on_the_next_request(reader, period, cache_reads):
    """Another app server changes the version in the cache: this one's held options are not
    believed on the next request."""
    url = reverse("designing:proposal-list")
    reader.get(url)
    reader.get(url)
    # Written without signals, as the other process's write is not seen here: only its new
    # version of the public records tells.
    Period.objects.filter(pk=period.pk).update(name="Periode yang diganti")
    assert "Periode yang diganti" not in reader.get(url).content.decode()
    cache_reads.clear()

    cache.set(PUBLIC, "version-of-another-process", timeout=None)
    response = reader.get(url)

    assert [key for key in cache_reads if key.startswith(OPTIONS)] != []
    assert "Periode yang diganti" in response.content.decode()


def test_nothing_after_a_request_believes_what_it_read_ahead(reader, period, cache_reads):
    reader.get(reverse("designing:proposal-list"))
    reader.get(reverse("designing:proposal-list"))
    cache_reads.clear()

    assert cached_public_value("nama", lambda: ["nilai"]) == ["nilai"]
    assert cached_public_value("nama", lambda: ["lain"]) == ["nilai"]

    assert cache_reads == [f"{scopecache.PREFIX}:public-value:nama"] * 2


def test_a_held_list_is_a_copy_for_each_reader(reader, period):
    """What one request does to the list it was given is not what the next one reads."""
    url = reverse("designing:proposal-list")
    reader.get(url)
    reader.get(url)
    scopecache.keep_request_read_ahead(
        scopecache.read_ahead_for_person(0, [], also=[scopecache.EVERYWHERE, PUBLIC])
    )
    try:
        first = cached_public_value("daftar", lambda: [("1", "satu")])
        first.append(("2", "dua"))
        again = cached_public_value("daftar", lambda: [("3", "tiga")])
    finally:
        scopecache.forget_request_read_ahead()

    assert again == [("1", "satu")]


def test_a_visitors_public_page_reads_its_values_from_the_process(client, rt, period, cache_reads):
    """A visitor has no account to read the versions ahead with: the public page reads them
    itself, once, and its years and places come from the process."""
    url = reverse("public-kelurahan", args=[rt.rw.kelurahan.code])
    client.get(url, {"sumber": "uji"})
    client.get(url, {"sumber": "uji"})
    cache_reads.clear()

    response = client.get(url, {"sumber": "uji"})

    assert response.status_code == 200
    assert cache_reads == []
    assert f">{period}</option>" in response.content.decode()


def test_a_visitor_sees_a_change_another_process_made_on_the_next_request(client, rt, period):
    url = reverse("public-kelurahan", args=[rt.rw.kelurahan.code])
    client.get(url, {"sumber": "uji"})
    Period.objects.filter(pk=period.pk).update(name="Periode yang diganti")
    assert "Periode yang diganti" not in client.get(url, {"sumber": "uji"}).content.decode()

    cache.set(PUBLIC, "version-of-another-process", timeout=None)

    assert "Periode yang diganti" in client.get(url, {"sumber": "uji"}).content.decode()
