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
        from django.db.backends.signals import connection_created

        from homecoming.core import (
            audit,
            lifecycles,  # noqa: F401  (registers the job lifecycle)
        )

        # Around every migrate (and test-database creation) the triggers are dropped and
        # made again, matching the new tables: SQLite refuses to drop a column they name.
        pre_migrate.connect(_drop_lifecycle_guards, sender=self)
        post_migrate.connect(_install_lifecycle_guards, sender=self)

        connection_created.connect(audit.on_connection_created, dispatch_uid="hc_audit_conn")
        # Sent once per app; the handlers look at the whole schema, so the core app's turn
        # (all migrations of the plan are applied by then) is enough.
        pre_migrate.connect(audit.on_pre_migrate, sender=self, dispatch_uid="hc_audit_pre")
        post_migrate.connect(audit.on_post_migrate, sender=self, dispatch_uid="hc_audit_post")
