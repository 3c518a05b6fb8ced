from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
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
        # A flush (transactional tests, `flush`) empties what the data migration seeded and
        # then sends post_migrate, as after any migrate: the default kinds come back.
        post_migrate.connect(_default_kinds, sender=self)


def _default_kinds(sender: AppConfig, apps: Any = None, **kwargs: Any) -> None:
    from homecoming.readiness.kinds import ensure_default_kinds

    # migrate passes the migrated state's models; flush passes none (the current ones)
    ensure_default_kinds((apps or global_apps).get_model("readiness", "ItemKind"))
