from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommissioningConfig(AppConfig):
    """Co-commissioning: the potentials register and community forums."""

    name = "commissioning"
    verbose_name = _("Co-commissioning")
