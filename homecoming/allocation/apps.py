from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "homecoming.allocation"
    label = "allocation"
    verbose_name = _("Allocation")

    def ready(self) -> None:
        from homecoming.allocation import lifecycles  # noqa: F401  (registers its status tables)
