"""Store the fit of every existing proposal, as computed today (see ``designing.fit``)."""

from django.db import migrations
from django.db.models import Case, Exists, IntegerField, OuterRef, Subquery, When
from django.utils import timezone


class _Count(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def _adult_born_on_or_before(on):
    try:
        return on.replace(year=on.year - 17)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 17, day=28)


def fill(apps, schema_editor):
    Activity = apps.get_model("rtkeren", "Activity")
    Resident = apps.get_model("rtkeren", "Resident")
    ResidentInterest = apps.get_model("rtkeren", "ResidentInterest")
    ProposalFit = apps.get_model("designing", "ProposalFit")
    today = timezone.localdate()
    shares = ResidentInterest.objects.filter(
        resident=OuterRef("pk"), interest__activities=OuterRef(OuterRef("pk"))
    )
    matching = Resident.objects.filter(
        status="active",
        verification="verified",
        birth_date__lte=_adult_born_on_or_before(today),
    ).filter(Exists(shares))
    in_rt = matching.filter(rt_id=OuterRef("rt_id")).order_by().values("pk")
    in_kelurahan = (
        matching.filter(rt__rw__kelurahan_id=OuterRef("kelurahan_id")).order_by().values("pk")
    )
    rows = Activity.objects.annotate(
        fit=Case(When(rt__isnull=True, then=_Count(in_kelurahan)), default=_Count(in_rt))
    ).values_list("pk", "fit")
    ProposalFit.objects.bulk_create(
        (ProposalFit(activity_id=pk, residents=fit, computed_on=today) for pk, fit in rows.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )


def empty(apps, schema_editor):
    apps.get_model("designing", "ProposalFit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("designing", "0007_proposal_fit")]

    operations = [migrations.RunPython(fill, empty)]
