"""The core's demo data: the administrator account; wilayah, residents and roles follow."""

from django.contrib.auth import get_user_model

from rtkeren.registry import demo_data

DEMO_PASSWORD = "rtkeren-demo"  # noqa: S105 (published in the README for the demo only)


@demo_data.register("core", order=0)
def seed_core(*, stdout) -> str:
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    return "admin account created" if created else "admin account already there"
