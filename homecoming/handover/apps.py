from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "homecoming.handover"
    label = "handover"
    verbose_name = _("Handover")

    def ready(self) -> None:
        from homecoming.handover import lifecycles  # noqa: F401  (registers its status tables)
