import io

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction

from rtkeren.models import Role
from tests import factories


def pytest_terminal_summary(terminalreporter):
    """Say plainly when the browser tests did not run, so nobody mistakes a skip for a pass."""
    skipped = terminalreporter.stats.get("skipped", [])
    browser_skips = [report for report in skipped if "browser" in report.keywords]
    if browser_skips:
        terminalreporter.write_sep(
            "!",
            f"BROWSER TESTS SKIPPED ({len(browser_skips)}): Chromium not found at "
            "/usr/bin/chromium. Install it with: apt-get install -y chromium",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True)
def _media_in_memory(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture(autouse=True)
def _content_types_known(request):
    """Django keeps content types in a per-process cache, which a transactional test's flush
    empties: a page asking for one made a query more or less depending on the tests that ran
    before it. Every test with the database starts with all of them known, as a server does
    after its first requests."""
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
    } & set(request.fixturenames)
    if uses_database:
        request.getfixturevalue("db")
        ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture(autouse=True)
def _empty_outbox():
    """What the in-memory WhatsApp and SMS adapter was given starts empty in each test."""
    from rtkeren.channels import console

    console.outbox.clear()
    yield
    console.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counts and cached pages do not carry
    over from the test before."""
    cache.clear()


@pytest.fixture
def no_prepared_shapes():
    """The shapes of prepared queries (``rtkeren.prepared``) kept by the process, forgotten
    before and after the test, so that it sees what its own requests prepared."""
    from rtkeren import prepared

    prepared._statements.clear()
    yield
    prepared._statements.clear()


# Places: two RTs in Kelurahan Blitar and one in Kelurahan Pakunden.


@pytest.fixture
def kelurahan(db):
    return factories.kelurahan(factories.BLITAR)


@pytest.fixture
def foreign_kelurahan(db):
    return factories.kelurahan(factories.PAKUNDEN)


@pytest.fixture
def rt(kelurahan):
    return factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=7), number=2)


@pytest.fixture
def other_rt(kelurahan):
    return factories.RTFactory(rw=factories.RWFactory(kelurahan=kelurahan, number=8), number=1)


@pytest.fixture
def foreign_rt(foreign_kelurahan):
    return factories.RTFactory(
        rw=factories.RWFactory(kelurahan=foreign_kelurahan, number=1), number=1
    )


@pytest.fixture
def period(db):
    return factories.PeriodFactory()


# Personas.


@pytest.fixture
def admin_user(db):
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def city_viewer(db):
    from rtkeren.models import Kota

    return factories.make_user_with_role(
        Role.CITY_VIEWER, "kota", kota=Kota.objects.get(code="35.72")
    )


@pytest.fixture
def officer(kelurahan):
    return factories.make_user_with_role(Role.OFFICER, "petugas", kelurahan=kelurahan)


@pytest.fixture
def facilitator(kelurahan):
    return factories.make_user_with_role(Role.FACILITATOR, "pendamping", kelurahan=kelurahan)


@pytest.fixture
def rw_chair(rt):
    return factories.make_user_with_role(Role.RW_CHAIR, "ketua_rw", rw=rt.rw)


@pytest.fixture
def rt_chair(rt):
    user, _resident = factories.make_resident_user(rt, "ketua_rt")
    factories.RoleAssignmentFactory(user=user, role=Role.RT_CHAIR, rt=rt)
    return user


@pytest.fixture
def other_rt_chair(other_rt):
    return factories.make_user_with_role(Role.RT_CHAIR, "ketua_rt2", rt=other_rt)


@pytest.fixture
def pokmas_member(rt):
    return factories.make_user_with_role(Role.POKMAS_MEMBER, "pokmas", rt=rt)


@pytest.fixture
def community(kelurahan):
    return factories.CommunityFactory(kelurahan=kelurahan, name="Sanggar Kampung Budaya")


@pytest.fixture
def community_lead(community):
    return factories.make_user_with_role(Role.COMMUNITY_LEAD, "komunitas", community=community)


@pytest.fixture
def resident_user(rt):
    user, _resident = factories.make_resident_user(rt, "warga")
    return user


@pytest.fixture
def resident(resident_user):
    return resident_user.resident


@pytest.fixture
def outsider(foreign_rt):
    """A verified resident of another kelurahan."""
    user, _resident = factories.make_resident_user(foreign_rt, "warga2")
    return user


@pytest.fixture
def foreign_officer(foreign_kelurahan):
    return factories.make_user_with_role(Role.OFFICER, "petugas2", kelurahan=foreign_kelurahan)


def demo_loaded(django_db_blocker):
    """The whole demo (seed_demo), rolled back when the generator closes."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo, loaded once for a test module and rolled back after it. It stays in the
    database for every test of the module that runs after the first one asking for it, asked
    for or not: a module mixing both keeps its demo tests in a class and loads the demo per
    class (``demo_loaded``)."""
    yield from demo_loaded(django_db_blocker)
