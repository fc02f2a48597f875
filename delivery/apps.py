from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    """Co-delivery: meetings, implementers, attendance, training outputs and spending."""

    name = "delivery"
    verbose_name = _("Co-delivery")
