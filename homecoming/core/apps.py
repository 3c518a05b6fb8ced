from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _


def _drop_lifecycle_guards(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from homecoming.core.lifecycle import drop_guards

    drop_guards(connections[using])


def _install_lifecycle_guards(using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    from homecoming.core.lifecycle import install_guards

    install_guards(connections[using])


class CoreConfig(AppConfig):
    name = "homecoming.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from homecoming.core import lifecycles  # noqa: F401  (registers the job lifecycle)

        # After every migrate (and test-database creation): the guards follow the tables.
        pre_migrate.connect(_drop_lifecycle_guards, sender=self)
        post_migrate.connect(_install_lifecycle_guards, sender=self)
