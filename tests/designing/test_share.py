"""“Share to WhatsApp” on proposals and voting rounds: a plain wa.me link with public text and
the page's absolute address."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def shared_text(content: str) -> str:
    """The decoded text of the page's WhatsApp link."""
    links = re.findall(r'href="(https://wa\.me/\?text=[^"]*)"', content)
    assert len(links) == 1
    url = unescape(links[0])
    assert " " not in url
    assert "\n" not in url
    return parse_qs(urlsplit(url).query)["text"][0]


def test_proposal_page_shares_title_place_and_address(client, proposal, resident_user):
    proposal.title = "Lampu & taman RT"
    proposal.save()
    client.force_login(resident_user)
    url = reverse("designing:proposal-detail", args=[proposal.pk])
    content = client.get(url).content.decode()
    assert "Lampu%20%26%20taman%20RT" in content
    text = shared_text(content)
    assert "Lampu & taman RT" in text
    assert str(proposal.rt) in text
    assert text.endswith(f"http://testserver{url}")
    assert proposal.author.get_full_name() not in text


def test_draft_proposal_is_not_shared(client, draft, neighbour):
    client.force_login(neighbour)
    content = client.get(reverse("designing:proposal-detail", args=[draft.pk])).content.decode()
    assert "wa.me" not in content


def test_round_page_shares_title_and_closing_time(client, voting_round, resident_user):
    client.force_login(resident_user)
    url = reverse("designing:round-detail", args=[voting_round.pk])
    text = shared_text(client.get(url).content.decode())
    assert voting_round.title in text
    assert str(voting_round.rt) in text
    assert text.endswith(f"http://testserver{url}")
    assert resident_user.get_full_name() not in text
