"""Versions of each kelurahan's figures, for caches that many people read.

Something many people read and few change (a kelurahan's scorecard, its RTs side by side) is
cached under the version of the kelurahan it was computed for. The services that change what
such caches are computed from call ``scope_changed`` with the kelurahan they wrote in; once the
transaction commits, each of those kelurahan gets a new version, and readers stop finding the
old entries. A transaction rolled back changes no version. The city has no version of its own:
what it shows is put together from its kelurahan's (``assessment.scorecard``), so that a write
in one kelurahan leaves the others' cached figures in place.

The versions live in the cache itself (Redis where several app servers run), never in a
database row, so that writers in different kelurahan never wait on one another for them. A
version is a random token, not a counter: a version the cache has lost (evicted, or Redis
restarted) comes back as a new token, never as one an old entry was stored under.

A reader takes the versions before it reads the data: whatever it then stores is at least as new
as those versions, and a write that commits meanwhile gives the scope a version it has not used.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from functools import partial

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PREFIX = "scope-version"
#: Changed by a write that may touch any kelurahan (a new period, the demo data): it is part of
#: every scope's version.
EVERYWHERE = f"{PREFIX}:all"


def _kelurahan_key(kelurahan_id: int) -> str:
    return f"{PREFIX}:kelurahan:{kelurahan_id}"


def _every_rt_key(kelurahan_id: int) -> str:
    """Part of the version of every RT of the kelurahan: changed by a write that does not say
    which of its RTs it counts in."""
    return f"{PREFIX}:kelurahan-rts:{kelurahan_id}"


def _rt_key(rt_id: int) -> str:
    return f"{PREFIX}:rt:{rt_id}"


def _tokens(keys: list[str]) -> list[str]:
    """The token of each key, a new one where the cache holds none (one cache read when all are
    there)."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # Another process may set the key at the same moment: whichever token got in wins.
            cache.add(key, uuid.uuid4().hex, timeout=None)
            found[key] = cache.get(key)
    return [found[key] for key in keys]


def scope_version(kelurahan_id: int) -> str:
    """The version of everything counted in kelurahan ``kelurahan_id`` (its RTs included)."""
    return ":".join(_tokens([EVERYWHERE, _kelurahan_key(kelurahan_id)]))


def rt_scope_version(kelurahan_id: int, rt_id: int) -> str:
    """The version of everything counted in RT ``rt_id`` of kelurahan ``kelurahan_id``: a write
    in another RT of the kelurahan leaves it as it is, though it changes the kelurahan's."""
    return ":".join(_tokens([EVERYWHERE, _every_rt_key(kelurahan_id), _rt_key(rt_id)]))


def scope_versions(kelurahan_ids: Iterable[int]) -> dict[int, str]:
    """``scope_version`` of each kelurahan, read together (one cache read when all are there)."""
    ids = list(kelurahan_ids)
    everywhere, *tokens = _tokens([EVERYWHERE, *(_kelurahan_key(pk) for pk in ids)])
    return {pk: f"{everywhere}:{token}" for pk, token in zip(ids, tokens, strict=True)}


#: How many times this process has changed a version: what it read ahead (``ReadAhead``) is
#: believed only while this has not moved.
_changes = [0]


def _bump(keys: list[str]) -> None:
    _changes[0] += 1
    cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None)


def scope_changed(
    *, kelurahan_ids: Iterable[int | None], rt_ids: Iterable[int | None] | None = None
) -> None:
    """Give the kelurahan ``kelurahan_ids`` (``None`` among them is ignored) a new version once
    the current transaction commits (at once outside one), and with them the RTs ``rt_ids``
    the write counts in (none when empty), or, when the write does not say (``None``), every RT
    of those kelurahan."""
    kelurahan = {pk for pk in kelurahan_ids if pk is not None}
    keys = {_kelurahan_key(pk) for pk in kelurahan}
    if rt_ids is None:
        keys |= {_every_rt_key(pk) for pk in kelurahan}
    else:
        keys |= {_rt_key(pk) for pk in rt_ids if pk is not None}
    if keys:
        transaction.on_commit(partial(_bump, sorted(keys)))


def scope_changed_everywhere() -> None:
    """Give every scope a new version once the current transaction commits: for writes that may
    touch any kelurahan (a period opened or closed, bulk data loaded)."""
    transaction.on_commit(partial(_bump, [EVERYWHERE]))


# What one person's pages share across their requests (their role assignments, the entry they act
# as): cached under the person's version and the everywhere version, changed when the person's
# records change.


def _person_key(user_id: int, topic: str = "") -> str:
    return f"{PREFIX}:person{'-' + topic if topic else ''}:{user_id}"


#: The topic of what a person's notifications decide (their unread count): a version apart from
#: the person's own, so that a notification does not renew their assignments and entry too.
NOTIFICATIONS = "notifications"
#: The topic of the person's account (``rtkeren.auth_backends.session_account``): every save of
#: the account changes it (a login's time among them), which need not renew their assignments.
ACCOUNT = "account"


#: How long a person's cached records are believed at most: the bound on how stale they can be
#: if the cache missed a change while it was away.
PERSON_TIMEOUT = 5 * 60


class ReadAhead:
    """Cache keys read together in one cache read, for the reads of one request that would each
    have read some of them (``cached_for_person``'s ``ahead``): what was found is used instead
    of reading again, until this process changes any version (a write of the same request), after
    which the keys are read again."""

    def __init__(self, keys: list[str]):
        self.changes = _changes[0]
        try:
            self.found = cache.get_many(keys)
            self.keys = frozenset(keys)
        except (RedisError, OSError):
            # Nothing read ahead: each read asks the cache itself (and warns if it is away).
            self.found, self.keys = {}, frozenset()

    def take(self, keys: list[str]) -> dict | None:
        """What the cache held for ``keys`` (those it held none for left out), or None when
        they must be read again: not all read ahead, or a version changed since."""
        if self.changes != _changes[0] or not self.keys.issuperset(keys):
            return None
        return {key: self.found[key] for key in keys if key in self.found}

    def forget(self, keys: list[str]) -> None:
        """Read ``keys`` from the cache from now on: what was read ahead of them is outdated."""
        self.keys -= set(keys)


def _cached(
    keys: list[str],
    entry_key: str,
    name: str,
    compute,
    *,
    timeout,
    fresh=None,
    ahead: ReadAhead | None = None,
):
    """``compute()``, from the cache when it was stored under the current versions of ``keys``
    (and ``fresh(value)``, when given, still holds); one cache read when it was, none when
    ``ahead`` read them. A value ``compute`` returns after a change commits is never hidden by
    one from before it: the versions are read before ``compute`` runs. ``timeout`` is seconds,
    or a function of the value giving them (none: not stored)."""
    try:
        found = ahead.take([*keys, entry_key]) if ahead is not None else None
        if found is None:
            found = cache.get_many([*keys, entry_key])
        versions = tuple(found.get(key) for key in keys)
        entry = found.get(entry_key)
        if (
            None not in versions
            and entry is not None
            and entry[0] == versions
            and (fresh is None or fresh(entry[1]))
        ):
            return entry[1]
        if None in versions:
            versions = tuple(_tokens(keys))
    except (RedisError, OSError):
        logger.warning("%s computed without the cache: the cache does not answer.", name)
        return compute()
    if ahead is not None:
        # What is stored now, or the versions just given, was not there when read ahead.
        ahead.forget([*keys, entry_key])
    value = compute()
    seconds = timeout(value) if callable(timeout) else timeout
    if seconds > 0:
        try:
            cache.set(entry_key, (versions, value), timeout=seconds)
        except (RedisError, OSError):
            logger.warning("%s not cached: the cache does not answer.", name)
    return value


def _person_keys(user_id: int, name: str, topic: str) -> tuple[list[str], str]:
    return [EVERYWHERE, _person_key(user_id, topic)], f"{PREFIX}:person-entry:{user_id}:{name}"


def cached_for_person(
    user_id: int,
    name: str,
    compute,
    *,
    timeout: int = PERSON_TIMEOUT,
    topic: str = "",
    ahead: ReadAhead | None = None,
):
    """``compute()`` for the person ``user_id``, from the cache while the person's version of
    ``topic`` (and the everywhere version) is the one it was stored under; from ``ahead`` when
    it read them (``read_ahead_for_person``)."""
    keys, entry_key = _person_keys(user_id, name, topic)
    return _cached(keys, entry_key, name, compute, timeout=timeout, ahead=ahead)


#: Where a request's account keeps what was read ahead with it (``read_ahead_of``).
_READ_AHEAD_ATTRIBUTE = "_rtkeren_read_ahead"


def read_ahead_of(user) -> ReadAhead | None:
    """What was read ahead with ``user``'s account for this request (``session_account``), if
    anything: the account is made anew for each request, and so is this."""
    return getattr(user, _READ_AHEAD_ATTRIBUTE, None)


def keep_read_ahead(user, ahead: ReadAhead) -> None:
    setattr(user, _READ_AHEAD_ATTRIBUTE, ahead)


def read_ahead_for_person(
    user_id: int, entries: list[tuple[str, str]], *, also: Iterable[str] = ()
) -> ReadAhead:
    """Read together what ``cached_for_person`` reads for each ``(name, topic)`` of the person
    ``user_id``, and the keys ``also``: one cache read for what a request reads of the person
    in several places."""
    keys = []
    for name, topic in entries:
        versions, entry_key = _person_keys(user_id, name, topic)
        keys.extend(key for key in [*versions, entry_key] if key not in keys)
    keys.extend(key for key in also if key not in keys)
    return ReadAhead(keys)


#: What the current request read ahead with the person's account (``session_account``): the
#: public records' versions among it, which ``cached_public_value`` takes from it. Forgotten
#: when a request starts and when it ends (``forget_request_read_ahead``), so that nothing
#: believes the versions another request read.
_request_ahead: ContextVar[ReadAhead | None] = ContextVar("rtkeren_request_ahead", default=None)


def keep_request_read_ahead(ahead: ReadAhead) -> None:
    _request_ahead.set(ahead)


def read_public_versions_ahead() -> None:
    """For a request that read nothing ahead (a visitor's): read the versions every public
    value is stored under now, in one cache read, so that the public values it takes next
    (the periods, the city's places, a select's options) come from the process without a
    cache read each."""
    if _request_ahead.get() is None:
        keep_request_read_ahead(ReadAhead([EVERYWHERE, PUBLIC]))


def forget_request_read_ahead(**kwargs) -> None:
    """On ``request_started`` and ``request_finished``."""
    _request_ahead.set(None)


def person_changed(*user_ids: int | None, topic: str = "") -> None:
    """Give the people ``user_ids`` a new version now and again once the current transaction
    commits: now, so that this process reads the change at once (and a test without commits
    too); on commit, so that a reader in another transaction who cached the records as they
    were before the commit is not believed afterwards."""
    keys = sorted({_person_key(pk, topic) for pk in user_ids if pk is not None})
    if keys:
        _bump_or_warn(keys)
        transaction.on_commit(partial(_bump_or_warn, keys))


def _bump_or_warn(keys: list[str]) -> None:
    # A write must not fail because the cache is away; what was cached before then expires
    # within PERSON_TIMEOUT.
    try:
        _bump(keys)
    except (RedisError, OSError):
        logger.warning("People's cached records not renewed: the cache does not answer.")


def person_cache_fill(sender, request, user, **kwargs) -> None:
    """On login (``user_logged_in``): keep the account, and read the person's assignments, the
    register entry they act as and their unread notifications now, so that the pages that
    follow find them in the cache."""
    from rtkeren.auth_backends import session_account_fill
    from rtkeren.scopes import current_assignments
    from rtkeren.selectors.notifications import unread_notification_count
    from rtkeren.selectors.residents import acting_resident

    session_account_fill(user)
    current_assignments(user)
    acting_resident(user)
    unread_notification_count(user)


# What the public pages show: the same for everyone, cached under the kelurahan's version and
# the version of the public records, which every save or delete of a record that such a page
# may show changes (``rtkeren.signals.public_record_changed``), by any path.

PUBLIC = f"{PREFIX}:public"

#: How long a public page is believed at most, whatever the versions say.
PUBLIC_TIMEOUT = 10 * 60


def _bump_public() -> None:
    _bump_or_warn([PUBLIC])


def public_changed() -> None:
    """Give the public records a new version now and again once the current transaction
    commits (see ``person_changed`` for why both): once for the whole transaction, however many
    records it writes."""
    _bump_public()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        function is _bump_public for _savepoints, function, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_bump_public)


#: What ``cached_public_value`` read in this process: the value, the versions of the public
#: records it was read under, and until when (``time.monotonic``) it is believed at most.
_public_values: dict[str, tuple[tuple[str, str], object, float]] = {}
#: Past this many names the values held are dropped (each a select's options, or the periods).
PUBLIC_VALUES_HELD = 500


def _public_versions_read_ahead() -> tuple[str, str] | None:
    """The versions of every scope and of the public records, as the current request read them
    ahead with the person's account; None when it read none (a visitor, a command) or this
    process changed a version since."""
    ahead = _request_ahead.get()
    found = None if ahead is None else ahead.take([EVERYWHERE, PUBLIC])
    if not found or len(found) != 2:
        return None
    return found[EVERYWHERE], found[PUBLIC]


def columns_tag(columns: Iterable[str]) -> str:
    """A short tag of ``columns`` (names, in order), for the name of a public value that holds
    records as their columns' values: after a deploy that changes the columns, the value is
    read under another name, never rebuilt into records from rows of the former columns."""
    return hashlib.sha256(",".join(columns).encode()).hexdigest()[:16]


def cached_public_value(name: str, compute, *, timeout: int = PUBLIC_TIMEOUT, keep=None):
    """``compute()``, the same for everyone and decided by public records alone (the options of
    a select of periods or places): from the cache while the public records' version is the one
    it was stored under, for ``timeout`` seconds at most; not stored when ``keep(value)``, given,
    is false.

    A request that read the versions ahead with the person's account takes a value this process
    already read under the same versions from the process itself, without a cache read. The
    value must be plain data that its callers do not change (a list of tuples is copied)."""
    entry_key = f"{PREFIX}:public-value:{name}"
    versions = _public_versions_read_ahead()
    if versions is not None:
        held = _public_values.get(entry_key)
        if held is not None and held[0] == versions and time.monotonic() < held[2]:
            return list(held[1]) if isinstance(held[1], list) else held[1]
    value = _cached(
        [EVERYWHERE, PUBLIC],
        entry_key,
        name,
        compute,
        timeout=lambda value: timeout if keep is None or keep(value) else 0,
    )
    # Read under these versions or newer ones: believed while a request reads them.
    if versions is not None and timeout > 0 and (keep is None or keep(value)):
        if len(_public_values) >= PUBLIC_VALUES_HELD:
            _public_values.clear()
        held_value = list(value) if isinstance(value, list) else value
        _public_values[entry_key] = (versions, held_value, time.monotonic() + timeout)
    return value


def cached_public_records(name: str, model, *ordering: str) -> list:
    """Every record of ``model`` (public records), in ``ordering``, as ``cached_public_value``
    keeps them: by their columns' values, under ``name`` and a tag of the columns (a record with
    other columns is never rebuilt from an older entry); new instances for each call. The
    query is built only when the records are read from the database."""
    columns = [field.attname for field in model._meta.concrete_fields]
    rows = cached_public_value(
        f"{name}:{columns_tag(columns)}",
        lambda: list(model._default_manager.order_by(*ordering).values_list(*columns)),
    )
    return [model.from_db(DEFAULT_DB_ALIAS, columns, row) for row in rows]


def cached_for_public(kelurahan_id: int, name: str, compute, *, participation: bool = True):
    """The value of ``compute()``, which returns ``(value, valid_until)``, for a public page
    of kelurahan ``kelurahan_id`` (or another value that public records alone decide, the same
    for everyone who reads it): from the cache while the public records' version (and,
    with ``participation``, the kelurahan's version: what its participation counts) are those
    it was stored under and ``valid_until`` (an aware datetime: when the value changes with the
    clock alone, e.g. a voting round closing) has not come."""

    def seconds_left(computed) -> int:
        return min(PUBLIC_TIMEOUT, int((computed[1] - timezone.now()).total_seconds()))

    value, _valid_until = _cached(
        [EVERYWHERE, PUBLIC, *([_kelurahan_key(kelurahan_id)] if participation else [])],
        f"{PREFIX}:public-page:{kelurahan_id}:{name}",
        name,
        compute,
        timeout=seconds_left,
        fresh=lambda computed: seconds_left(computed) > 0,
    )
    return value
