"""Fill the scorecard base of every existing period from the register and its recorded moves
and deaths, by the rule of ``rtkeren.services.base`` (repeated here: a migration does not import
the portal's code, which goes on changing after it)."""


from django.db import migrations

ADULT_AGE = 17
BATCH_SIZE = 1000


def _adult_born_on_or_before(on):
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ADULT_AGE, day=28)


def _segments(status, changed_on, rt_id, kelurahan_id, changes):
    if not changes:
        if status == "active":
            return [(rt_id, kelurahan_id, None, None)]
        if changed_on is not None:
            return [(rt_id, kelurahan_id, None, changed_on)]
        return []
    _kind, first_day, from_rt, from_kelurahan, _to_rt, _to_kelurahan = changes[0]
    segments = [(from_rt, from_kelurahan, None, first_day)]
    for index, (kind, day, _from_rt, _from_kel, to_rt, to_kelurahan) in enumerate(changes):
        if kind == "moved_within":
            following = changes[index + 1][1] if index + 1 < len(changes) else None
            segments.append((to_rt, to_kelurahan, day, following))
    return segments


def fill(apps, schema_editor):
    Period = apps.get_model("rtkeren", "Period")
    Resident = apps.get_model("rtkeren", "Resident")
    ResidentStatusChange = apps.get_model("rtkeren", "ResidentStatusChange")
    BaseEntry = apps.get_model("rtkeren", "BaseEntry")
    periods = list(Period.objects.all())
    if not periods:
        return
    latest_start = max(period.starts_on for period in periods)
    eligible = Resident.objects.filter(
        verification="verified", birth_date__lte=_adult_born_on_or_before(latest_start)
    )
    changes = {}
    for resident_id, *change in (
        ResidentStatusChange.objects.filter(resident__in=eligible.values("pk"))
        .order_by("resident_id", "happened_on", "pk")
        .values_list(
            "resident_id",
            "kind",
            "happened_on",
            "from_rt_id",
            "from_rt__rw__kelurahan_id",
            "to_rt_id",
            "to_rt__rw__kelurahan_id",
        )
        .iterator()
    ):
        changes.setdefault(resident_id, []).append(tuple(change))
    batch = []
    for pk, born, status, changed_on, rt_id, kelurahan_id in (
        eligible.order_by()
        .values_list(
            "pk", "birth_date", "status", "status_changed_on", "rt_id", "rt__rw__kelurahan_id"
        )
        .iterator(chunk_size=5000)
    ):
        segments = _segments(status, changed_on, rt_id, kelurahan_id, changes.get(pk, []))
        for period in periods:
            if born > _adult_born_on_or_before(period.starts_on):
                continue
            rows = {}
            for rt, kelurahan, first, last in segments:
                if (first is not None and first > period.ends_on) or (
                    last is not None and last < period.starts_on
                ):
                    continue
                since = max(first, period.starts_on) if first is not None else period.starts_on
                until = last if last is not None and last <= period.ends_on else None
                if rt in rows:
                    held_kelurahan, held_since, held_until = rows[rt]
                    since = min(since, held_since)
                    until = None if until is None or held_until is None else max(until, held_until)
                rows[rt] = (kelurahan, since, until)
            for rt, (kelurahan, since, until) in rows.items():
                batch.append(
                    BaseEntry(
                        period_id=period.pk,
                        resident_id=pk,
                        rt_id=rt,
                        kelurahan_id=kelurahan,
                        since=since,
                        until=until,
                    )
                )
        if len(batch) >= BATCH_SIZE:
            BaseEntry.objects.bulk_create(batch)
            batch = []
    BaseEntry.objects.bulk_create(batch)


def empty(apps, schema_editor):
    apps.get_model("rtkeren", "BaseEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rtkeren", "0023_base_entry"),
    ]

    operations = [migrations.RunPython(fill, empty)]
