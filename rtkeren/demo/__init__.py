"""The core's demo data: Kelurahan Blitar in detail, a corner of Kelurahan Pakunden, the demo
accounts, and on request (``seed_demo --residents N``) residents all over Kota Blitar.

Everything is drawn from generators seeded with fixed strings, and ages count from a fixed day
(``REFERENCE_DATE``), so every run builds the same people with the same NIKs. Objects are looked
up by their natural keys (a username, a NIK's keyed hash, a kelurahan and a name...) before they
are created: running the seeder again creates nothing twice.

Residents are written with ``bulk_create`` in batches: the demo's own with their history rows,
the many of ``--residents`` without (a creation row per resident would double the time). Beyond
Django's own work per row, encrypting the NIK is the cost; ``benchmarks/seed_residents.py``
measures both.
"""

from .people import (
    BLITAR,
    BLITAR_LAYOUT,
    DEMO_PASSWORD,
    DEMO_RT,
    DEMO_RW,
    EVALUATED_TRAINING,
    KOTA_BLITAR,
    PAKUNDEN,
    RTS_PER_KELURAHAN,
    Person,
    Population,
    region_code,
)
from .places import (
    ensure_interests,
    ensure_layout,
    ensure_open_period,
    find_rt,
    insert_residents,
    rt_layout,
)

# Importing the seeder registers it (``rtkeren.registry.demo_data``).
from .seed import demo_places, residents_add, seed_core

__all__ = [
    "BLITAR",
    "BLITAR_LAYOUT",
    "DEMO_PASSWORD",
    "DEMO_RT",
    "DEMO_RW",
    "EVALUATED_TRAINING",
    "KOTA_BLITAR",
    "PAKUNDEN",
    "RTS_PER_KELURAHAN",
    "Person",
    "Population",
    "region_code",
    "ensure_interests",
    "ensure_layout",
    "ensure_open_period",
    "find_rt",
    "insert_residents",
    "rt_layout",
    "demo_places",
    "residents_add",
    "seed_core",
]
