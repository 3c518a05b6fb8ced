from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "homecoming.allocation"
    label = "allocation"
    verbose_name = _("Allocation")

    def ready(self) -> None:
        from homecoming.allocation import (
            lifecycles,  # noqa: F401  (registers its status tables)
            views,
        )
        from homecoming.core.jobs import register_handler, register_refresher, register_sweeper
        from homecoming.registry import sections as registry_sections

        registry_sections.register(
            "allocation-history",
            registry_sections.Section("allocation/_family_history.html", views.family_history),
        )
        register_handler("allocation", "homecoming.allocation.services.run_allocation_job")
        register_handler("allocation_approve", "homecoming.allocation.services.approve_run_job")
        register_handler("allocation_piece", "homecoming.allocation.fanout.run_piece_job")
        # before the runs' sweeper: a fanned-out run whose split job died is queued again,
        # not failed
        register_sweeper("homecoming.allocation.fanout.do_retry_pieces")
        register_sweeper("homecoming.allocation.services.do_fail_abandoned_runs")
        register_handler("programme-plan", "homecoming.allocation.plan.run_plan_job")
        register_refresher("homecoming.allocation.plan.request_if_stale")
