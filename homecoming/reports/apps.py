from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The printable monthly report (PDF, az/en/ru), generated as a job and kept unchanged.
    A layer above the dashboard and the open data: it reads their figures."""

    name = "homecoming.reports"
    label = "reports"
    verbose_name = _("Monthly reports")

    def ready(self) -> None:
        from homecoming.core.jobs import register_handler, register_refresher

        register_handler("monthly-report", "homecoming.reports.jobs.run_report_job")
        # Last month's reports: the worker queues them once, early in the month.
        register_refresher("homecoming.reports.jobs.monthly_if_due")
