"""Form errors reach screen readers: an invalid field is marked aria-invalid and described by its
error message (a radio or checkbox group through its fieldset), and the errors of a whole form
sit in a role="alert" region."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessment.models import Criterion
from tests.assessment.factories import delivered_activity, take_part
from tests.designing import factories as designing
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class FormErrors(HTMLParser):
    """The text of every element with an id, the invalid fields, and the alerts of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.texts: dict[str, str] = {}
        self.invalid: list[tuple[dict, str]] = []
        self.alerts: list[str] = []
        self._open: list[tuple[str, dict, list[str]]] = []
        self.feed(html)
        self.close()
        while self._open:
            self._finish()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if attributes.get("aria-invalid") == "true":
            groups = [
                a for t, a, _text in self._open if t == "fieldset" and "aria-describedby" in a
            ]
            self.invalid.append((attributes, groups[-1]["aria-describedby"] if groups else ""))
        if tag not in VOID:
            self._open.append((tag, attributes, []))

    def handle_endtag(self, tag):
        if any(open_tag == tag for open_tag, _a, _t in self._open):
            while self._finish() != tag:
                pass

    def handle_data(self, data):
        for _tag, _attributes, text in self._open:
            text.append(data)

    def _finish(self) -> str:
        tag, attributes, text = self._open.pop()
        if "id" in attributes:
            self.texts[attributes["id"]] = "".join(text)
        # A hidden alert (the notice for refused htmx requests) says nothing until it is shown.
        if attributes.get("role") == "alert" and "hidden" not in attributes:
            self.alerts.append("".join(text).strip())
        return tag

    def described(self, ids: str) -> str:
        return " ".join(self.texts.get(ref, "") for ref in ids.split()).strip()

    def problems(self) -> list[str]:
        """Invalid fields whose error message no assistive technology would find."""
        found = []
        for attributes, group in self.invalid:
            own = attributes.get("aria-describedby", "")
            missing = [ref for ref in f"{own} {group}".split() if ref not in self.texts]
            if missing or not self.described(f"{own} {group}"):
                found.append(f"{attributes.get('name') or attributes.get('id')}: {missing}")
        return found


def test_invalid_fields_are_marked_and_described_by_their_error(client, rt):
    response = client.post(reverse("account-register"), {"nik": "123", "rt": rt.pk})

    page = FormErrors(response.content.decode())
    assert len(page.invalid) >= 3
    assert not page.problems(), page.problems()
    name = next(attributes for attributes, _group in page.invalid if attributes["name"] == "name")
    assert "tidak boleh kosong" in page.described(name["aria-describedby"])


def test_a_score_group_is_described_by_its_error(client, resident_user, period):
    officer = make_user_with_role(
        "officer", "petugas", kelurahan=resident_user.resident.rt.rw.kelurahan
    )
    activity = delivered_activity(by=officer, rt=resident_user.resident.rt, period=period)
    take_part(resident_user.resident, activity)
    client.force_login(resident_user)

    response = client.post(reverse("assessment:evaluation-edit", args=[activity.pk]), {})

    page = FormErrors(response.content.decode())
    radios = [attributes for attributes, group in page.invalid if attributes.get("type") == "radio"]
    assert len(radios) == 5 * Criterion.objects.filter(is_active=True).count()
    assert not page.problems(), page.problems()
    assert all(
        "Pilih nilai dari 1 sampai 5." in page.described(group)
        for attributes, group in page.invalid
        if attributes.get("type") == "radio"
    )


def test_a_hand_written_field_is_marked_and_described_too(client, resident_user, rt, period):
    activity = designing.proposal(rt=rt, period=period)
    client.force_login(resident_user)

    response = client.post(
        reverse("designing:comment-create", args=[activity.pk]),
        {"body": "   "},
        HTTP_HX_REQUEST="true",
    )

    page = FormErrors(response.content.decode())
    assert [attributes["name"] for attributes, _group in page.invalid] == ["body"]
    assert not page.problems(), page.problems()


def test_the_errors_of_a_whole_form_are_an_alert(client, resident_user):
    response = client.post(reverse("login"), {"username": "warga", "password": "salah"})

    page = FormErrors(response.content.decode())
    assert len(page.alerts) == 1
    assert "kata sandi" in page.alerts[0]
