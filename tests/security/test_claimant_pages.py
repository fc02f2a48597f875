"""An account that claimed a register entry (``pengklaim``) and one whose registration matched no
entry wait alike for the RT chair, and every page of the portal must answer them alike: a page
or a refusal that differs would tell a stranger that the NIK, name and birth date they typed are
in the register."""

import logging

import pytest
from django.db import transaction
from django.test import Client

from rtkeren.models import Resident
from tests.factories import make_registrant, page_as_anyone
from tests.security import crawler
from tests.security.expectations import EXPECTATIONS
from tests.security.urlmap import all_routes
from tests.security.world import CLAIMANT_USERNAME, build_world

pytestmark = pytest.mark.django_db


def _answer(client: Client, method: str, url: str, user) -> tuple[int, str]:
    with transaction.atomic():
        response = client.get(url) if method == "get" else client.post(url, {})
        answer = page_as_anyone(response, user)
        transaction.set_rollback(True)
    return answer


def test_every_page_answers_a_claimant_as_a_registrant_whose_claim_matched_nothing(seeded, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    world = build_world()
    claimant = world.users[CLAIMANT_USERNAME]
    entry = claimant.resident
    assert entry.is_verified
    assert entry.participations.exists()
    registrant = make_registrant(entry.rt, "pembanding", like=entry)
    assert registrant.resident.verification == Resident.Verification.PENDING
    clients = {}
    for user in (claimant, registrant):
        clients[user] = Client(raise_request_exception=False)
        clients[user].force_login(user)

    crawl = crawler.Crawl(world)
    differences, compared = [], 0
    for route in all_routes():
        expect = EXPECTATIONS.get(route.name)
        if expect is None:
            continue
        methods = [m for m, on in (("get", expect.get), ("post", expect.post)) if on]
        for url in crawl.urls_for(expect, route.name, world.home):
            for method in methods:
                answers = [_answer(clients[u], method, url, u) for u in (claimant, registrant)]
                compared += 1
                if answers[0] != answers[1]:
                    differences.append(f"{method.upper()} {url}: {answers[0][0]} / {answers[1][0]}")

    assert compared > 100
    assert not differences, "\n".join(differences)
