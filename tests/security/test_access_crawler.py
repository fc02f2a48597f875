"""Access control proven over every URL: each pattern of the URL configuration, for every demo
account and a visitor, with an object of the home scope and one of a foreign scope.

Asserted for every response: no 500; a foreign object answered 403/404 (a visitor: the login
page); a refused POST changes no table; no full NIK but the person's own or the one an officer
revealed; no voter named on a page that shows what they voted for; no NIK that could be rebuilt
from the digits and birth dates shown next to a resident (tests.security.rebuild).

SECURITY_DISCOVER=1 prints every answer observed and the slowest URLs: a starting point for the
expectations of a new page, to be read critically before it goes into the table."""

import logging
import os

import pytest

from rtkeren.exports import all_exports
from tests.security import crawler
from tests.security.expectations import EXPECTATIONS
from tests.security.urlmap import all_routes
from tests.security.world import ACCOUNTS, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(seeded):
    world = build_world()
    names = [export.name for export in all_exports()]
    world.home["export_name"] = world.foreign["export_name"] = names
    return world


def test_every_url_pattern_has_an_expectation():
    unknown = [
        route.name
        for route in all_routes()
        if route.name not in EXPECTATIONS
        and not (route.route.startswith("admin/") and crawler.has_admin_rule(route))
    ]
    assert not unknown, "\n".join(f"no expectation for url name {name}" for name in unknown)


def test_the_table_names_only_existing_urls_and_their_methods():
    routes = {route.name: route for route in all_routes()}
    stale = sorted(set(EXPECTATIONS) - set(routes))
    assert not stale, f"expectations for URL names that no longer exist: {stale}"
    wrong = []
    for name, expect in EXPECTATIONS.items():
        view = routes[name].view_class
        if view is None:
            continue
        methods = {m for m in ("get", "post") if hasattr(view, m) and m in view.http_method_names}
        if expect.get != ("get" in methods) or expect.post != ("post" in methods):
            wrong.append(f"{name}: view answers {sorted(methods)}")
    assert not wrong, "\n".join(wrong)


def test_access_control_over_every_url(world, capsys, caplog):
    # Thousands of expected 403, 404 and 405 answers: only errors are worth logging.
    caplog.set_level(logging.ERROR, logger="django.request")
    crawl = crawler.Crawl(world)
    routes = all_routes()
    for route in routes:
        if route.name in EXPECTATIONS:
            crawl.check(route, EXPECTATIONS[route.name])
        else:
            assert crawler.check_admin(crawl, route), f"no expectation for url name {route.name}"

    if os.environ.get("SECURITY_DISCOVER"):
        with capsys.disabled():
            for (label, method), (scope, got) in sorted(crawl.observed.items()):
                print("OBSERVED", scope, method, label, got)
            for name, seconds in crawl.seconds.most_common(25):
                print(f"SLOW {seconds:6.2f}s {name}")
    figures = crawl.figures
    with capsys.disabled():
        print(
            f"\naccess crawler: {len(crawl.routes_checked)} URL patterns x "
            f"{len(ACCOUNTS) + 1} accounts (with a visitor) x home/foreign objects = "
            f"{figures['combinations']} combinations, {figures['requests']} requests, "
            f"{figures['nik_checks']} bodies searched for a full NIK, "
            f"{figures['ballot_checks']} for a voter's choice, {len(crawl.findings)} findings"
        )
    assert len(crawl.routes_checked) == len(routes)
    # The searches must see what they look for where it is allowed, or they prove nothing.
    assert figures["own_nik_shown"] > 0, "no resident saw their own NIK on Data Saya"
    assert figures["revealed_nik_shown"] > 0, "no officer's reveal showed the NIK"
    assert figures["voter_named"] > 0, "the voter's name appeared nowhere, not even in lists"
    assert not crawl.findings, "\n".join(map(str, crawl.findings))
    _assert_no_nik_can_be_rebuilt(crawl.exposure, capsys)


def _assert_no_nik_can_be_rebuilt(exposure, capsys):
    """Everyone who may not reveal a resident's NIK (all but the officers of the resident's
    kelurahan and the resident) was served every page, fragment and export above; no digit of
    the NIK may stand next to the resident, nor their birth date, so the NIK cannot be put
    together from the kecamatan code, the birth date and the serial."""
    with capsys.disabled():
        print(f"NIK rebuild check: {dict(exposure.figures)}")
    # The search must find what it looks for where it may be shown, or it proves nothing.
    assert exposure.figures["birth_date_shown_where_allowed"] > 0
    assert exposure.figures["nik_digits_next_to_resident"] > 0
    findings = list(exposure.findings)
    assert not findings, "\n".join(findings)
