from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReadinessConfig(AppConfig):
    name = "homecoming.readiness"
    label = "readiness"
    verbose_name = _("Readiness")

    def ready(self) -> None:
        from homecoming.readiness import lifecycles  # noqa: F401  (registers its status tables)
