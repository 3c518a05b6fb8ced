from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "homecoming.network"
    label = "network"
    verbose_name = _("Road network")

    def ready(self) -> None:
        from homecoming.network import lifecycles  # noqa: F401  (registers its status table)
