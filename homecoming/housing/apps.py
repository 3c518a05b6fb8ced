from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HousingConfig(AppConfig):
    name = "homecoming.housing"
    label = "housing"
    verbose_name = _("Housing")

    def ready(self) -> None:
        from homecoming.housing import guards, lifecycles  # noqa: F401  (register their tables)
