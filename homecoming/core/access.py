"""Reads of personal data and exports, recorded: who, when, from where, what, how many.

Writes are recorded by the database (homecoming.core.audit); reads change no row, so each
read point says itself what it showed, with one call:

    do_record_access(request, AccessKind.HOUSEHOLD_PAGE, fmt="html",
                     object_type="registry.household", ids=[household.pk])

An export first asks `require_export(request, kind, fmt)`: a format the user may not take
away (homecoming.accounts.privacy.may_export) is answered 403 with a clear message, and
the refusal is recorded (`refused`, no records). API viewsets record their list and
retrieve answers with `RecordedReads` and a `read_kind`.

Bulk reads: after each record, one indexed aggregate sums the user's records over the last
rolling hour (index access_actor_at); above settings.BULK_READ_ALERT_PER_HOUR a
`BulkReadAlert` is written (once per user per hour) and each handler of ALERT_HANDLERS is
called with it in the same transaction (the handover app queues the administrators'
messages: core imports no capability app). See docs/audit.md, "Reads and exports".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions

from homecoming.accounts.models import profile_of
from homecoming.accounts.privacy import ExportFormat, may_export
from homecoming.core.clientip import client_ip
from homecoming.core.middleware import channel_of, is_api
from homecoming.core.models import AccessEvent, AccessFormat, AccessKind, BulkReadAlert

log = logging.getLogger(__name__)

#: Called with each new BulkReadAlert, inside the transaction that wrote it.
ALERT_HANDLERS: list[str] = ["homecoming.handover.alerts.notify_administrators"]

WINDOW = dt.timedelta(hours=1)


def _http_request(request: Any) -> HttpRequest:
    """Django's request under DRF's."""
    return getattr(request, "_request", request)  # type: ignore[no-any-return]


#: Query parameters that carry what a user typed to find someone (a name, an identity
#: number): kept out of the record, which outlives an erasure of that person.
SEARCH_PARAMETERS = frozenset({"q", "search"})


def recorded_path(request: HttpRequest) -> str:
    """The request's path and query, search terms replaced by "…".

    >>> from django.test import RequestFactory
    >>> recorded_path(RequestFactory().get("/api/persons/", {"search": "5ABCD7E", "page": 2}))
    '/api/persons/?search=%E2%80%A6&page=2'
    """
    query = request.GET.copy()
    for name in SEARCH_PARAMETERS & set(query):
        query.setlist(name, ["…" for _ in query.getlist(name)])
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


def do_record_access(
    request: Any,
    kind: str,
    *,
    fmt: str,
    object_type: str = "",
    ids: Iterable[Any] = (),
    count: int | None = None,
    refused: bool = False,
) -> AccessEvent:
    """Record one read or export by the request's user; `count` defaults to the number of
    `ids` (only the first AccessEvent.MAX_IDS are kept). May raise a bulk-read alert."""
    user = request.user
    http = _http_request(request)
    profile = profile_of(user)
    kept: list[Any] = []
    total = 0
    for value in ids:
        if total < AccessEvent.MAX_IDS:
            kept.append(value)
        total += 1
    records = 0 if refused else (total if count is None else count)
    authenticated = getattr(user, "is_authenticated", False)
    now = timezone.now()
    with transaction.atomic():
        event = AccessEvent.objects.create(
            at=now,
            actor_id=user.pk if authenticated else None,
            actor=user.get_username()[:150] if authenticated else "",
            role=profile.role if profile is not None else "",
            channel=channel_of(http.path),
            ip=client_ip(http)[:45],
            path=f"{http.method} {recorded_path(http)}"[:300],
            kind=kind,
            format=fmt,
            object_type=object_type,
            object_ids=kept,
            count=records,
            refused=refused,
        )
        if records and event.actor_id is not None:
            check_bulk_reads(event)
    return event


def records_in_window(actor_id: int, now: dt.datetime) -> int:
    """Records `actor_id` read over the rolling hour up to `now`: one aggregate on the
    (actor_id, at) index."""
    total = AccessEvent.objects.filter(actor_id=actor_id, at__gt=now - WINDOW).aggregate(
        n=Sum("count")
    )["n"]
    return int(total or 0)


def check_bulk_reads(event: AccessEvent) -> BulkReadAlert | None:
    """Alert once per user per hour when their records of the last hour pass the threshold."""
    threshold = int(settings.BULK_READ_ALERT_PER_HOUR)
    if threshold <= 0 or event.actor_id is None:
        return None
    # The alert of the hour first: once a heavy reader is flagged, their next reads skip
    # summing an hour of their events.
    if BulkReadAlert.objects.filter(actor_id=event.actor_id, at__gt=event.at - WINDOW).exists():
        return None
    total = records_in_window(event.actor_id, event.at)
    if total <= threshold:
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent alert of this hour wins
            alert = BulkReadAlert.objects.create(
                at=event.at,
                hour=event.at.replace(minute=0, second=0, microsecond=0),
                actor_id=event.actor_id,
                actor=event.actor,
                records=total,
                threshold=threshold,
            )
    except IntegrityError:
        return None
    for path in ALERT_HANDLERS:
        import_string(path)(alert)
    log.warning("bulk read: %s read %s records in an hour", alert.actor, total)
    return alert


def file_export_format(name: str) -> str:
    """The export format a stored file is taken away as: an XLSX workbook, else CSV (an
    ODK export's .zip holds CSV files)."""
    return "xlsx" if str(name).lower().endswith(".xlsx") else "csv"


def format_label(fmt: str) -> str:
    return str(ExportFormat(fmt).label) if fmt in ExportFormat.values else fmt


def require_export(request: Any, kind: str, fmt: str, *, check: str | None = None) -> None:
    """Refuse (403) an export in a format the user may not take away, recording the refusal.

    `check` names the permission's format when it differs from the answer's (a printable
    manifest is a web page taken away like a PDF document)."""
    wanted = check or fmt
    if may_export(request.user, wanted):
        return
    do_record_access(request, kind, fmt=fmt, refused=True)
    message = _(
        "Your account may not export %(format)s. An administrator can grant this permission."
    ) % {"format": format_label(wanted)}
    if is_api(_http_request(request)):
        raise exceptions.PermissionDenied(message)
    raise PermissionDenied(message)


def recent_alerts(days: int = 7, limit: int = 10) -> QuerySet[BulkReadAlert]:
    since = timezone.now() - dt.timedelta(days=days)
    return BulkReadAlert.objects.filter(at__gte=since).order_by("-at")[:limit]


def response_format(request: Any) -> str:
    """json, or html for DRF's browsable pages."""
    renderer = getattr(request, "accepted_renderer", None)
    fmt = getattr(renderer, "format", "json")
    return AccessFormat.HTML if fmt == "api" else AccessFormat.JSON


class RecordedReads:
    """For an API viewset: its list and retrieve answers are recorded as `read_kind`
    (list: the rows of the page returned; retrieve: the one object)."""

    read_kind: ClassVar[str]
    _read_page: Any = None
    _read_object: Any = None

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)  # type: ignore[misc]
        self._read_page = page
        return page

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        self._read_object = obj
        return obj

    def _object_type(self) -> str:
        model = self.get_queryset().model  # type: ignore[attr-defined]
        return str(model._meta.label_lower)

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            page = self._read_page
            if page is not None:
                ids, count = [o.pk for o in page], None
            else:
                ids, count = [], len(response.data)
            do_record_access(
                request,
                self.read_kind,
                fmt=response_format(request),
                object_type=self._object_type(),
                ids=ids,
                count=count,
            )
        return response

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200 and self._read_object is not None:
            do_record_access(
                request,
                self.read_kind,
                fmt=response_format(request),
                object_type=self._object_type(),
                ids=[self._read_object.pk],
            )
        return response


__all__ = [
    "AccessFormat",
    "AccessKind",
    "RecordedReads",
    "do_record_access",
    "require_export",
]
