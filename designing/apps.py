from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DesigningConfig(AppConfig):
    """Co-designing: proposals, discussion, review, voting rounds and the interest fit."""

    name = "designing"
    verbose_name = _("Co-designing")
