from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "homecoming.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate, pre_migrate

        from homecoming.core import audit

        connection_created.connect(audit.on_connection_created, dispatch_uid="hc_audit_conn")
        # Sent once per app; the handlers look at the whole schema, so the core app's turn
        # (all migrations of the plan are applied by then) is enough.
        pre_migrate.connect(audit.on_pre_migrate, sender=self, dispatch_uid="hc_audit_pre")
        post_migrate.connect(audit.on_post_migrate, sender=self, dispatch_uid="hc_audit_post")
