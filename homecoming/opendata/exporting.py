"""What the export pages and the API share: reading the tables a user may take, recording
every export, and the throttle of the public page.

Aggregates (districts, settlements, complexes) are for every role, in its scope; one row
per family only for a user who may export the format (core.access.require_export). Every
export, of either kind and by either channel, is recorded (core.access.do_record_access):
who, when, from where, what and how many rows; a family-level export also names the
families (the first AccessEvent.MAX_IDS).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from homecoming.accounts.models import Profile
from homecoming.accounts.tokens import AnonThrottle, UserThrottle
from homecoming.core.access import do_record_access, require_export
from homecoming.core.models import AccessKind
from homecoming.opendata import figures, geo
from homecoming.opendata.tables import HOUSEHOLD, LEVELS, Table, aggregate_table, household_table
from homecoming.readiness.models import HazardArea

TABLE_FORMATS = ("csv", "xlsx", "json")


class UnknownLevel(ValueError):
    pass


def read_table(request: Any, profile: Profile, level: str, fmt: str) -> Table:
    """The table of `level` in the profile's scope, its export recorded (a family-level one
    first checked: refused with 403 when the user may not export `fmt`)."""
    if level == HOUSEHOLD:
        require_export(request, AccessKind.OPENDATA_EXPORT, fmt)
        families = list(figures.households(profile))
        do_record_access(
            request,
            AccessKind.OPENDATA_EXPORT,
            fmt=fmt,
            object_type="registry.household",
            ids=[h.pk for h in families],
        )
        return household_table(families)
    if level not in LEVELS:
        raise UnknownLevel(level)
    table = aggregate_table(figures.aggregates(profile), level)
    record(request, fmt, f"opendata.{level}", len(table.rows))
    return table


def record(request: Any, fmt: str, what: str, count: int) -> None:
    do_record_access(request, AccessKind.OPENDATA_EXPORT, fmt=fmt, object_type=what, count=count)


def read_places(request: Any, profile: Profile, layers: list[str]) -> list[geo.Feature]:
    """The GeoJSON features of `layers` in the profile's scope, the export recorded."""
    hazards = HazardArea.objects.for_profile(profile).select_related("district").order_by("code")
    features = geo.places(figures.aggregates(profile), hazards, layers)
    record(request, "json", "opendata.places", len(features))
    return features


def throttled(request: HttpRequest) -> HttpResponse | None:
    """A 429 when the client has used up the API's rate (the same counters as the API's
    anonymous and signed-in throttles, so a page and the API share one budget)."""
    for throttle_class in (AnonThrottle, UserThrottle):
        throttle = throttle_class()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            response = HttpResponse(
                _("Too many requests. Please wait a minute and try again."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            wait = throttle.wait()
            response["Retry-After"] = str(int(wait or 60))
            return response
    return None
