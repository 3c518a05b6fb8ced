from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "homecoming.geography"
    label = "geography"
    verbose_name = _("Geography")
