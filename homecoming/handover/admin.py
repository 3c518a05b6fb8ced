from django.contrib import admin

from homecoming.core.admin import ArchiveOnlyAdmin
from homecoming.handover.models import (
    Appeal,
    Bus,
    Ceremony,
    Convoy,
    Message,
    Occupancy,
    Offer,
    PickupPoint,
)


@admin.register(Offer)
class OfferAdmin(ArchiveOnlyAdmin[Offer]):
    list_display = ["household", "unit", "status", "deadline", "from_reserve", "run"]
    list_filter = ["status", "from_reserve"]
    # Offers change only through the services (the audit trail records every change).
    readonly_fields = [f.name for f in Offer._meta.fields]


@admin.register(Message)
class MessageAdmin(ArchiveOnlyAdmin[Message]):
    list_display = ["created_at", "template", "to", "language", "status"]
    list_filter = ["status", "template"]
    exclude = ["body"]  # one-time codes stay out of sight


admin.site.register([Appeal, PickupPoint, Convoy, Bus, Ceremony, Occupancy], ArchiveOnlyAdmin)
