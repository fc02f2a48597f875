"""System checks of the participation kinds, run by ``check``, ``migrate`` and ``runserver``.

Registering a kind already refuses anything but a ``Stage``; the first check says so again
for the registry as a whole (a kind added to it some other way). The second reads the
database, so Django runs it only where a database is asked for (``migrate``, ``check
--database default``): a ledger row whose kind no app registers any more would be counted in
a stage nobody can name, and shown on the resident's page as a bare code.

With ``--deploy``, a third warns when the cache is each process's own: the scope versions the
shared caches are keyed by live there.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import connections

from rtkeren.models import Participation, Stage
from rtkeren.registry import participation_kinds


@register()
def check_participation_kind_stages(app_configs=None, **kwargs) -> list[Error]:
    return [
        Error(
            f"Participation kind {kind.code!r} has the stage {kind.stage!r}, which is not a Stage.",
            hint="Register it with one of rtkeren.models.Stage.",
            obj=kind.code,
            id="rtkeren.E101",
        )
        for kind in participation_kinds.all()
        if not isinstance(kind.stage, Stage)
    ]


@register(Tags.database)
def check_ledger_kinds_are_registered(app_configs=None, databases=None, **kwargs) -> list[Error]:
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        # ``migrate`` runs its checks before the ledger's table exists on a new database.
        if Participation._meta.db_table not in connection.introspection.table_names():
            continue
        held = (
            Participation.objects.using(alias).order_by().values_list("kind", flat=True).distinct()
        )
        unknown = sorted(kind for kind in held if kind not in participation_kinds)
        if unknown:
            errors.append(
                Error(
                    "The participation ledger holds rows of kinds no app registers: "
                    + ", ".join(unknown)
                    + ".",
                    hint="Register each kind in its app's AppConfig.ready() with "
                    "participation_kinds.register(), or rename the rows to a registered kind "
                    "in a data migration.",
                    obj=alias,
                    id="rtkeren.E102",
                )
            )
    return errors


#: Cache backends each process keeps for itself: a scope version changed in one process is not
#: seen by another.
PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[Warning]:
    """Scope versions (``rtkeren.scopecache``) live in the cache: with several worker processes,
    only a shared cache tells every worker of a write made in another."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Warning(
            "The default cache is each process's own memory: a scorecard cached by one worker "
            "is not told of a write another worker made, and stays as it was until it expires.",
            hint="Set REDIS_URL when more than one worker process serves the portal.",
            id="rtkeren.W103",
        )
    ]
