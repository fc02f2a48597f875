"""What ``rtkeren.prepared`` kept of the queries a test asked for."""

from rtkeren import prepared

#: A user of every kind (the fixtures of ``tests/conftest.py``), each reading a prepared query
#: with the values of their own scope.
READERS = [
    "resident_user",
    "rt_chair",
    "other_rt_chair",
    "pokmas_member",
    "rw_chair",
    "community_lead",
    "officer",
    "facilitator",
    "foreign_officer",
    "outsider",
    "city_viewer",
    "admin_user",
]


def shapes_of(build) -> list:
    """What is kept of each shape of ``build`` asked for: a statement, or ``_UNPREPARED``."""
    return [entry for key, entry in prepared._statements.items() if key[0] is build]


def all_prepared(build) -> bool:
    """Whether ``build`` was asked for and every shape of it asked for was prepared."""
    found = shapes_of(build)
    return bool(found) and prepared._UNPREPARED not in found


def all_prepared_one(build) -> bool:
    """Whether a row of ``build`` was read by its key (``Prepared.one``) and every shape of
    that read was prepared."""
    found = [
        entry
        for key, entry in prepared._statements.items()
        if key[0] is prepared._one and key[1][0] is build
    ]
    return bool(found) and prepared._UNPREPARED not in found
