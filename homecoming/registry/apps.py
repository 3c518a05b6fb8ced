from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "homecoming.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from homecoming.core.jobs import register_handler, register_sweeper
        from homecoming.registry import lifecycles  # noqa: F401  (registers its status tables)

        register_handler("registry_import", "homecoming.registry.importers.run.run_import_job")
        register_handler("registry_dedup", "homecoming.registry.adapter.run_dedup_job")
        register_sweeper("homecoming.registry.services.do_fail_stale_imports")
