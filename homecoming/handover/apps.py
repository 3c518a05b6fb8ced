from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "homecoming.handover"
    label = "handover"
    verbose_name = _("Handover")

    def ready(self) -> None:
        from homecoming.allocation.signals import run_approved
        from homecoming.handover import lifecycles  # noqa: F401  (registers its status tables)
        from homecoming.handover.services import make_offers_on_approval

        run_approved.connect(make_offers_on_approval, dispatch_uid="handover-offers")
