from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The programme's overview pages and its kept history, above every capability app."""

    name = "homecoming.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from homecoming.core.jobs import register_handler, register_refresher

        # The day's snapshot: the worker queues it once a day (history.snapshot_if_due).
        register_handler("programme-snapshot", "homecoming.dashboard.history.run_snapshot_job")
        register_refresher("homecoming.dashboard.history.snapshot_if_due")
