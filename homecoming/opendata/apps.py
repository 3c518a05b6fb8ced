from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Exports in the field's formats (HXL-tagged CSV and XLSX, GeoJSON) and the public
    statistics with small counts suppressed. A top layer beside the dashboard: it reads the
    apps below it."""

    name = "homecoming.opendata"
    label = "opendata"
    verbose_name = _("Open data")
