from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "homecoming.allocation"
    label = "allocation"
    verbose_name = _("Allocation")

    def ready(self) -> None:
        from homecoming.allocation import lifecycles  # noqa: F401  (registers its status tables)
        from homecoming.core.jobs import register_handler, register_sweeper

        register_handler("allocation", "homecoming.allocation.services.run_allocation_job")
        register_sweeper("homecoming.allocation.services.do_fail_abandoned_runs")
