"""The demo data: loaded once for the module (inside a transaction rolled back at the end), each
test then running in a savepoint of its own."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.http import HttpRequest
from django.utils import timezone

from rtkeren import demo
from rtkeren.models import (
    RT,
    Community,
    CommunityMembership,
    Interest,
    Kelurahan,
    Period,
    Pokmas,
    Position,
    Resident,
    ResidentInterest,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.nik import parse_nik

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": set(),
    "kota": {(Role.CITY_VIEWER, "Kota Blitar")},
    "petugas": {(Role.OFFICER, "Blitar")},
    "pendamping": {(Role.FACILITATOR, "Blitar")},
    "ketua_rw": {(Role.RW_CHAIR, "RW 007"), (Role.RESIDENT, "RT 001 / RW 007")},
    "ketua_rt": {(Role.RT_CHAIR, "RT 002 / RW 007"), (Role.RESIDENT, "RT 002 / RW 007")},
    "ketua_rt2": {(Role.RT_CHAIR, "RT 001 / RW 008"), (Role.RESIDENT, "RT 001 / RW 008")},
    "komunitas": {
        (Role.COMMUNITY_LEAD, "Sanggar Kampung Budaya Kelurahan Blitar"),
        (Role.RESIDENT, "RT 001 / RW 003"),
    },
    "warga": {(Role.RESIDENT, "RT 002 / RW 007")},
    "petugas2": {(Role.OFFICER, "Pakunden")},
    "warga2": {(Role.RESIDENT, "RT 001 / RW 001")},
    "pendaftar1": set(),
    "pendaftar2": set(),
    "pendaftar3": set(),
    "pendaftar4": set(),
}


def demo_rt() -> RT:
    return RT.objects.get(rw__kelurahan__code=demo.BLITAR, rw__number=7, number=2)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_running_it_again_creates_nothing_twice(seeded):
    before = row_counts()

    call_command("seed_demo", "--force", stdout=io.StringIO())

    assert row_counts() == before
    assert before["rtkeren.Resident"] > 600
    # Every resident has the history row of its creation.
    assert Resident.history.filter(history_type="+").count() == before["rtkeren.Resident"]


def test_the_demo_accounts_hold_their_roles_and_log_in(seeded, client):
    for username, expected in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        roles = {(a.role, str(a.scope)) for a in RoleAssignment.objects.current().filter(user=user)}
        assert roles == expected, username
        # django-axes watches every login and needs the request it comes with.
        credentials = {"username": username, "password": "rtkeren-demo"}
        assert client.login(request=HttpRequest(), **credentials), username
        client.logout()

    assert User.objects.get(username="admin").is_superuser
    assert User.objects.filter(username__in=EXPECTED_ROLES).count() == len(EXPECTED_ROLES)


def test_accounts_of_residents_hold_the_resident_role_of_their_rt(seeded):
    residents = Resident.objects.filter(user__isnull=False).select_related("user")
    verified = [r for r in residents if r.is_verified]

    assert len(verified) == 6
    for resident in verified:
        assert RoleAssignment.objects.filter(
            user=resident.user, role=Role.RESIDENT, rt=resident.rt_id
        ).exists(), resident.user.username
    pending = [r for r in residents if not r.is_verified]
    assert {r.user.username for r in pending} == {f"pendaftar{n}" for n in range(1, 5)}
    assert not RoleAssignment.objects.filter(user__resident__in=pending).exists()


def test_kelurahan_blitar_holds_about_600_residents_and_the_demo_rt_at_least_60(seeded):
    blitar = Resident.objects.in_kelurahan(Kelurahan.objects.get(code=demo.BLITAR))
    in_demo_rt = Resident.objects.filter(rt=demo_rt())

    assert 570 <= blitar.count() <= 630
    assert in_demo_rt.active().verified().count() >= 60
    assert in_demo_rt.filter(verification=Resident.Verification.PENDING).count() >= 3
    statuses = Counter(blitar.values_list("status", flat=True))
    assert statuses[Resident.Status.ACTIVE] > 0.9 * blitar.count()
    assert statuses[Resident.Status.MOVED] > 0
    assert statuses[Resident.Status.DECEASED] > 0
    ages = [r.age() for r in blitar]
    assert min(ages) < 5
    assert max(ages) > 75
    assert sum(age < 17 for age in ages) > 100


def test_wilayah_of_the_demo(seeded):
    blitar_rts = RT.objects.filter(rw__kelurahan__code=demo.BLITAR)

    assert blitar_rts.count() == demo.RTS_PER_KELURAHAN
    assert blitar_rts.values("rw").distinct().count() == len(demo.BLITAR_LAYOUT)
    pakunden = RT.objects.filter(rw__kelurahan__code=demo.PAKUNDEN)
    assert pakunden.exists()
    assert Resident.objects.filter(rt__in=pakunden).count() > 10


def test_every_nik_is_valid_unique_and_matches_the_resident(seeded):
    residents = list(Resident.objects.select_related("rt__rw__kelurahan"))
    niks = [resident.reveal_nik() for resident in residents]

    assert len(set(niks)) == len(niks)
    assert len({r.nik_digest for r in residents}) == len(residents)
    for resident, nik in zip(residents, niks, strict=True):
        facts = parse_nik(nik)
        assert facts.region_code == "357202"
        assert facts.sex == resident.sex
        assert nik[6:12] == (
            f"{resident.birth_date.day + (40 if resident.sex == 'P' else 0):02d}"
            f"{resident.birth_date:%m%y}"
        )
        resident.full_clean(validate_constraints=False)


def test_interests_are_held_as_interest_talent_and_skill(seeded):
    slugs = set(Interest.objects.values_list("slug", flat=True))

    assert {
        "tari",
        "karawitan",
        "membatik",
        "hadrah",
        "kuliner",
        "kerajinan",
        "teater",
        "musik",
        "desain",
    } <= slugs
    assert len(slugs) >= 12
    kinds = Counter(ResidentInterest.objects.values_list("kind", flat=True))
    assert set(kinds) == set(ResidentInterest.Kind.values)
    assert ResidentInterest.objects.values("resident").distinct().count() > 300


def test_communities_have_members_and_positions(seeded):
    blitar = Kelurahan.objects.get(code=demo.BLITAR)
    communities = Community.objects.filter(kelurahan=blitar)
    kinds = set(communities.values_list("kind", flat=True))

    assert {
        Community.Kind.SANGGAR,
        Community.Kind.KARANG_TARUNA,
        Community.Kind.PKK,
        Community.Kind.MAJELIS_TAKLIM,
        Community.Kind.INTERFAITH,
    } <= kinds
    for community in communities:
        positions = Counter(community.memberships.values_list("position", flat=True))
        assert positions[Position.CHAIR] == 1, community
        assert positions[Position.MEMBER] >= 5, community
        assert not community.memberships.exclude(resident__rt__rw__kelurahan=blitar).exists()
    sanggar = communities.get(name="Sanggar Kampung Budaya Kelurahan Blitar")
    chair = CommunityMembership.objects.get(community=sanggar, position=Position.CHAIR)
    assert chair.resident.user.username == "komunitas"


def test_every_rt_of_the_demo_has_a_pokmas_with_a_decree_and_members(seeded):
    rts = RT.objects.filter(rw__kelurahan__code__in=[demo.BLITAR, demo.PAKUNDEN])
    pokmas = Pokmas.objects.filter(rt__in=rts)

    assert pokmas.count() == rts.count()
    assert len(set(pokmas.values_list("decree_number", flat=True))) == rts.count()
    for group in pokmas:
        members = group.memberships.select_related("resident")
        assert members.count() == 5
        assert {m.resident.rt_id for m in members} == {group.rt_id}
        assert members.filter(position=Position.CHAIR).count() == 1


def test_an_open_period_of_the_current_year_with_default_settings(seeded):
    period = Period.objects.get(year=timezone.localdate().year)

    assert period.is_open
    assert period.rt_ceiling == 50_000_000
    assert period.fisik_percent == 70


def test_residents_option_adds_n_spread_over_the_21_kelurahan(seeded):
    users, base = User.objects.count(), Resident.objects.count()

    output = io.StringIO()
    call_command("seed_demo", "--force", "--residents", "105", stdout=output)
    call_command("seed_demo", "--force", "--residents", "42", stdout=output)

    assert Resident.objects.count() == base + 147
    assert User.objects.count() == users
    assert RT.objects.filter(rw__kelurahan__kecamatan__kota__code="35.72").count() == 630
    added = Resident.objects.exclude(rt__rw__kelurahan__code__in=[demo.BLITAR, demo.PAKUNDEN])
    per_kelurahan = Counter(added.values_list("rt__rw__kelurahan__code", flat=True))
    assert len(per_kelurahan) == 19
    assert set(per_kelurahan.values()) == {7}
    assert len(set(Resident.objects.values_list("nik_digest", flat=True))) == base + 147
    regions = {parse_nik(r.reveal_nik()).region_code for r in added}
    assert regions == {"357201", "357202", "357203"}
    assert "residents: 105 added" in output.getvalue()
