from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "homecoming.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from homecoming.registry import lifecycles  # noqa: F401  (registers its status tables)
