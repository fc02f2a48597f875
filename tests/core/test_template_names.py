"""No template names a loop or ``with`` variable after a variable every page relies on: inside
``{% for request in ... %}`` the request (its user, its path, the CSRF machinery of tags that read
it) is gone."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
RESERVED = ("request", "user", "perms", "messages", "csrf_token", "view", "LANGUAGE_CODE")
SHADOWING = re.compile(
    r"\{% ?(?:for (?P<loop>[\w, ]+) in |with [^%]*?\b(?P<with>\w+)=)", re.MULTILINE
)


def test_no_template_hides_a_variable_every_page_uses():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in SHADOWING.finditer(line):
                names = (match.group("loop") or match.group("with") or "").replace(",", " ")
                hidden = set(names.split()) & set(RESERVED)
                if hidden:
                    found.append(f"{path.relative_to(TEMPLATES)}:{number}: {sorted(hidden)}")
    assert found == []


def test_the_check_sees_a_hidden_request():
    assert SHADOWING.search("{% for request in deletion_requests %}").group("loop") == "request"
    assert SHADOWING.search("{% with user=item.owner %}").group("with") == "user"
