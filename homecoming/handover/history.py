"""Changes of state (offers, homes, families, swaps, appeals), read from the audit trail.

The handover kept its own log of transitions until the one audit trail replaced it
(migration handover.0003 copied the old rows); this module reads the status changes back
out of the trail for the offer page and the `transitions` API.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, F, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from homecoming.accounts.models import Profile
from homecoming.core.models import AuditEvent
from homecoming.handover.models import Appeal, Offer, Swap
from homecoming.housing.models import Unit
from homecoming.registry.models import Household

#: The entity names of the old log, and the tables they are now read from.
ENTITIES: dict[str, Any] = {
    "offer": Offer,
    "unit": Unit,
    "household": Household,
    "swap": Swap,
    "appeal": Appeal,
}
TABLES = {model._meta.db_table: entity for entity, model in ENTITIES.items()}


def status_changes(events: QuerySet[AuditEvent] | None = None) -> QuerySet[AuditEvent]:
    """Events that created a row with a status or changed its status, with `from_state`
    and `to_state` annotated; newest first."""
    events = AuditEvent.objects.all() if events is None else events
    return (
        events.filter(table__in=TABLES)
        # Cast: compared as plain text, not as JSON (SQLite would parse "accepted" as JSON)
        .annotate(
            from_state=Cast(KT("before__status"), CharField()),
            to_state=Cast(KT("after__status"), CharField()),
        )
        .filter(
            Q(action="insert", to_state__isnull=False)
            | (Q(action="update") & ~Q(from_state=F("to_state")))
        )
        .order_by("-at", "-id")
    )


def scoped_events(profile: Profile) -> QuerySet[AuditEvent]:
    """The events of the handover's tables a profile may read (its district's rows)."""
    if profile.district_id is None:
        return AuditEvent.objects.filter(table__in=TABLES)
    found = AuditEvent.objects.none()
    for model in ENTITIES.values():
        found = found | AuditEvent.objects.of(model.objects.for_profile(profile))
    return found


def offer_history(offer: Offer) -> QuerySet[AuditEvent]:
    return status_changes(AuditEvent.objects.filter(table=Offer._meta.db_table)).filter(
        object_pk=str(offer.pk)
    )


def transitions(
    entity: str, entity_id: int | None = None, to_state: str | None = None
) -> QuerySet[AuditEvent]:
    """Status changes of one kind of row (optionally one row, or into one state)."""
    found = status_changes(AuditEvent.objects.filter(table=ENTITIES[entity]._meta.db_table))
    if entity_id is not None:
        found = found.filter(object_pk=str(entity_id))
    if to_state is not None:
        found = found.filter(to_state=to_state)  # type: ignore[misc]
    return found
