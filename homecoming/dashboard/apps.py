from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The programme's overview pages, above every capability app."""

    name = "homecoming.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
