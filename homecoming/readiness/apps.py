from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "homecoming.readiness"
    label = "readiness"
    verbose_name = _("Readiness")

    def ready(self) -> None:
        from homecoming.housing import gate as housing_gate
        from homecoming.readiness import (
            gate,
            lifecycles,  # noqa: F401  (registers its status tables)
        )

        housing_gate.register(gate.assess)
