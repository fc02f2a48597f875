"""Views, templates and services ask one table (``rtkeren.permissions``): a page offers a form
only to those whose submission its service accepts. Django's ``user.has_perm`` answers yes to a
superuser for everything and to staff for any admin model permission, so a page asking it
offered forms its service then refused with a 403."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from commissioning import services as commissioning_services
from rtkeren.permissions import can, require
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
APPS = ("rtkeren", "commissioning", "designing", "delivery", "assessment")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="super", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_with_model_permission(db):
    user = factories.UserFactory(username="staf", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="add_potential", content_type__app_label="commissioning")
    )
    return user


def _record_potential(user, place):
    return commissioning_services.potential_record(
        by=user, place=place, title="Lapangan voli", category="alam", description="Bisa dipakai"
    )


@pytest.mark.parametrize("who", ["superuser", "staff_with_model_permission"])
def test_an_account_without_a_role_gets_no_form_its_service_would_refuse(request, who, rt):
    user = request.getfixturevalue(who)
    assert user.has_perm("commissioning.add_potential")  # what the pages used to ask
    client = request.getfixturevalue("client")
    client.force_login(user)

    page = client.get(reverse("commissioning:potential-create"))

    assert page.status_code == 403
    assert not can(user, "commissioning.add_potential")
    with pytest.raises(PermissionDenied):
        _record_potential(user, rt)


def test_whom_the_table_lets_in_gets_the_form_and_its_service_accepts(client, resident_user, rt):
    client.force_login(resident_user)

    page = client.get(reverse("commissioning:potential-create"))

    assert page.status_code == 200
    assert can(resident_user, "commissioning.add_potential", rt)
    assert _record_potential(resident_user, rt).pk


def test_a_superuser_passes_where_the_table_lets_an_administrator_pass(superuser, rt):
    assert can(superuser, "rtkeren.list_residents")
    assert can(superuser, "rtkeren.search_nik")
    assert not can(superuser, "rtkeren.reveal_nik", factories.ResidentFactory(rt=rt))
    require(superuser, "rtkeren.list_residents")
    with pytest.raises(PermissionDenied, match="Anda tidak berwenang"):
        require(superuser, "commissioning.add_potential", rt)


def _sources(pattern: str):
    for app in APPS:
        for path in sorted((ROOT / app).rglob(pattern)):
            if "migrations" in path.parts or path.name == "admin.py" or "admin" in path.parts:
                continue
            yield path


def test_no_page_or_service_asks_django_for_a_portal_permission():
    asking_django = re.compile(r"\.has_perms?\(|rules\.has_perm\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("*.py")
        if path.name not in ("permissions.py", "rules.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if asking_django.search(line) and "def has_perm" not in line
    ]
    templates = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if "admin" not in path.parts and re.search(r"\{% has_perm |\bperms\.", path.read_text())
    ]

    assert found == []
    assert templates == []
