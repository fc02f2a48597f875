from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """Co-assessment: joint evaluation, follow-ups and the co-production scorecard."""

    name = "assessment"
    verbose_name = _("Co-assessment")
