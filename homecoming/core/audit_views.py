"""The audit trail for auditors and administrators: filter, read the diffs, export.

District officers have no access: an event names tables and row ids of every district, and
scoping each row to a district would need a join per table. Auditors and administrators
see the whole programme anyway.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homecoming.accounts.models import Role
from homecoming.accounts.permissions import require_role
from homecoming.accounts.privacy import mask_row_pair, may_export, visible_fields
from homecoming.core import exports
from homecoming.core.access import do_record_access, recent_alerts, require_export
from homecoming.core.audit import CHANNELS, audited_models, note_text
from homecoming.core.models import AccessEvent, AccessKind, AuditAction, AuditEvent

READERS = frozenset({Role.ADMINISTRATOR, Role.AUDITOR})
CHANNEL_LABELS = {
    "ui": _("web pages"),
    "api": _("API"),
    "admin": _("administration"),
    "cli": _("command line"),
    "job": _("background job"),
    "import": _("import"),
    "system": _("system"),
}
EXPORT_COLUMNS = [
    "id",
    "at",
    "table",
    "object_pk",
    "action",
    "actor",
    "actor_id",
    "channel",
    "ip",
    "path",
    "request_id",
    "note",
    "changed",
    "before",
    "after",
]


def table_labels() -> dict[str, str]:
    """db table -> readable name, for every audited table (old logs' tables included)."""
    labels = {}
    for model in audited_models():
        meta = model._meta
        labels[meta.db_table] = f"{meta.app_config.verbose_name} · {meta.verbose_name}"
    return labels


#: Labels of the columns whose model field has no translated verbose_name of its own
#: (bookkeeping columns); a foreign key without one is named by the model it points to.
COLUMN_LABELS = {
    "id": _("ID"),
    "created_at": _("created at"),
    "created_by": _("created by"),
    "updated_at": _("updated at"),
    "finished_at": _("finished at"),
    "approved_at": _("approved at"),
    "approved_by": _("approved by"),
    "decided_at": _("decided at"),
    "decided_by": _("decided by"),
    "reminded_at": _("reminder sent at"),
    "done_at": _("done at"),
    "found_at": _("found at"),
    "found_by": _("found by"),
    "merged_by": _("merged by"),
    "uploaded_by": _("uploaded by"),
    "keys_handed_by": _("keys handed over by"),
    "unit_status_before": _("home's status before the offer"),
    "inputs_sha256": _("inputs (SHA-256)"),
    "digest": _("digest"),
    "min_lon": _("westmost longitude"),
    "max_lon": _("eastmost longitude"),
    "min_lat": _("southmost latitude"),
    "max_lat": _("northmost latitude"),
}


def column_labels() -> dict[str, dict[str, Any]]:
    """db table -> {column -> the field's name in the reader's language} (lazy texts).

    The trail records rows by column (`actual_end`); people read "actual completion".
    """
    labels: dict[str, dict[str, Any]] = {}
    for model in audited_models():
        columns: dict[str, Any] = {}
        for f in model._meta.concrete_fields:
            column = str(f.column)
            if isinstance(f.verbose_name, Promise):
                columns[column] = f.verbose_name
            elif f.name in COLUMN_LABELS:
                columns[column] = COLUMN_LABELS[f.name]
            elif f.is_relation and f.related_model is not None:
                columns[column] = f.related_model._meta.verbose_name
        labels[model._meta.db_table] = columns
    return labels


def choice_labels() -> dict[str, dict[str, dict[Any, Any]]]:
    """db table -> {column -> {stored value -> its label}} for every audited column whose
    field has choices (statuses, kinds of shelter...): lazy texts, read in the reader's
    language when shown. Built from the models alone, so showing them costs no query."""
    labels: dict[str, dict[str, dict[Any, Any]]] = {}
    for model in audited_models():
        columns = {
            str(f.column): dict(f.flatchoices)
            for f in model._meta.concrete_fields
            if f.choices and not f.is_relation
        }
        if columns:
            labels[model._meta.db_table] = columns
    return labels


def shown_value(value: Any, choices: dict[Any, Any] | None) -> Any:
    """A stored value as people read it: a choice's label, else the value itself (a value
    no longer among the choices, a masked one, free text)."""
    if choices is None or isinstance(value, dict | list):
        return value
    return choices.get(value, value)


def labelled_diff(
    event: AuditEvent,
    labels: dict[str, dict[str, Any]],
    choices: dict[str, dict[str, dict[Any, Any]]] | None = None,
) -> list[tuple[str, Any, Any]]:
    """The event's changes with each column named as people read it (the column's own name
    where no label is known: a column since removed), and a value chosen from a list shown
    by its label ("Accepted", not "accepted"). What is stored stays as it was."""
    names = labels.get(event.table, {})
    values = (choices or {}).get(event.table, {})
    return [
        (str(names.get(k, k)), shown_value(old, values.get(k)), shown_value(new, values.get(k)))
        for k, old, new in event.diff()
    ]


def model_table(label: str) -> str:
    """ "registry.Household" -> "registry_household" (for links from other apps' pages)."""
    return str(apps.get_model(label)._meta.db_table)


class DatedFilter(forms.Form):
    """A filter of a record by date range (the trail's and the reads' pages)."""

    since = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def dated(self, events: QuerySet[Any]) -> QuerySet[Any]:
        data, zone = self.cleaned_data, timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, zone))
        if data.get("until"):
            end = dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, zone)
            events = events.filter(at__lt=end)
        return events


def filtered(form: DatedFilter, events: QuerySet[Any]) -> QuerySet[Any]:
    """`events` narrowed by the form bound to the query string (none if it is invalid)."""
    if form.is_bound and form.is_valid():
        return form.apply(events)  # type: ignore[attr-defined,no-any-return]
    return events.none() if form.is_bound else events


class AuditFilter(DatedFilter):
    table = forms.ChoiceField(label=_("What"), required=False)
    object = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    channel = forms.ChoiceField(
        label=_("From"),
        required=False,
        choices=[("", "—"), *((c, CHANNEL_LABELS[c]) for c in CHANNELS)],
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = table_labels()
        known = set(AuditEvent.objects.values_list("table", flat=True).distinct())
        choices = sorted(((t, labels.get(t, t)) for t in set(labels) | known), key=lambda c: c[1])
        self.fields["table"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("table"):
            events = events.filter(table=data["table"])
        if data.get("object"):
            events = events.filter(object_pk=data["object"].strip())
        if data.get("actor"):
            events = events.filter(actor__iexact=data["actor"].strip())
        if data.get("channel"):
            events = events.filter(channel=data["channel"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        return self.dated(events)


def _filtered(request: HttpRequest) -> tuple[AuditFilter, QuerySet[AuditEvent]]:
    form = AuditFilter(request.GET or None)
    return form, filtered(form, AuditEvent.objects.order_by("-id"))


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    require_role(request, READERS)
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # The trail shows a reader only the personal fields their role (or a grant) includes.
    shown = visible_fields(request.user)
    page.object_list = list(page.object_list)
    labels, choices = column_labels(), choice_labels()
    for event in page.object_list:
        event.before, event.after = mask_row_pair(event.table, event.before, event.after, shown)
        event.changes = labelled_diff(event, labels, choices)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "tables": table_labels(),
            "channels": CHANNEL_LABELS,
            "formats": [f for f in EXPORT_FORMATS if may_export(request.user, f)],
        },
    )


def _row(event: AuditEvent, shown: frozenset[str]) -> dict[str, Any]:
    event.before, event.after = mask_row_pair(event.table, event.before, event.after, shown)
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "table": event.table,
        "object_pk": event.object_pk,
        "action": event.action,
        "actor": event.actor,
        "actor_id": event.actor_id,
        "channel": event.channel,
        "ip": event.ip,
        "path": event.path,
        "request_id": event.request_id,
        "note": note_text(event.note),
        "changed": event.changed,
        "before": event.before,
        "after": event.after,
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def _flat(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return value


def _csv_lines(rows: Iterator[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)  # BOM: spreadsheets read UTF-8 then
    for row in rows:
        yield writer.writerow([exports.safe_cell(_flat(row[c])) for c in columns])


def _json_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield "["
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(row, ensure_ascii=False, cls=DjangoJSONEncoder)
        first = False
    yield "]\n"


#: Rows an XLSX sheet holds below its header.
XLSX_MAX_ROWS = 1_048_575


def _xlsx_file(rows: Iterator[dict[str, Any]], columns: list[str]) -> Any:
    """A workbook written in openpyxl's streaming mode to a temporary file (spills to disk
    past a few megabytes), every text cell formula-safe."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(columns)
    for row in rows:
        sheet.append([exports.safe_cell(_flat(row[c])) for c in columns])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    book.save(out)
    out.seek(0)
    return out


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_response(
    rows: Iterator[dict[str, Any]], columns: list[str], fmt: str, stem: str
) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The rows as a CSV, JSON (both streamed) or XLSX download named `stem`-date.`fmt`."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{stem}-{stamp}.{fmt}"
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        response = FileResponse(
            _xlsx_file(rows, columns), as_attachment=True, filename=name, content_type=XLSX_TYPE
        )
        return response
    if fmt == "json":
        response = StreamingHttpResponse(
            _json_lines(rows), content_type="application/json; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            _csv_lines(rows, columns), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


EXPORT_FORMATS = ("csv", "json", "xlsx")


@login_required
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    require_role(request, READERS)
    if fmt not in EXPORT_FORMATS:
        raise Http404(fmt)
    require_export(request, AccessKind.AUDIT_EXPORT, fmt)
    form, events = _filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    if fmt == "xlsx":
        events = events[:XLSX_MAX_ROWS]
    do_record_access(
        request,
        AccessKind.AUDIT_EXPORT,
        fmt=fmt,
        object_type="core.auditevent",
        count=events.count(),
    )
    shown = visible_fields(request.user)
    rows = (_row(e, shown) for e in events.iterator(chunk_size=2000))
    return export_response(rows, EXPORT_COLUMNS, fmt, "audit")


# ---------------------------------------------------------------------------- reads


class AccessFilter(DatedFilter):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", "—"), *AccessKind.choices]
    )
    refused = forms.ChoiceField(
        label=_("Answer"),
        required=False,
        choices=[("", "—"), ("no", _("given")), ("yes", _("refused"))],
    )

    def apply(self, events: QuerySet[AccessEvent]) -> QuerySet[AccessEvent]:
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor__iexact=data["actor"].strip())
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("refused"):
            events = events.filter(refused=data["refused"] == "yes")
        return self.dated(events)


ACCESS_COLUMNS = [
    "id",
    "at",
    "actor",
    "actor_id",
    "role",
    "channel",
    "ip",
    "path",
    "kind",
    "format",
    "object_type",
    "object_ids",
    "count",
    "refused",
]


def _access_row(event: AccessEvent) -> dict[str, Any]:
    row = {c: getattr(event, c) for c in ACCESS_COLUMNS}
    row["at"] = event.at.isoformat()
    return row


def _access_filtered(request: HttpRequest) -> tuple[AccessFilter, QuerySet[AccessEvent]]:
    form = AccessFilter(request.GET or None)
    return form, filtered(form, AccessEvent.objects.order_by("-id"))


@login_required
def access_list(request: HttpRequest) -> HttpResponse:
    """Reads of personal data and exports: who read what, when, from where, how many."""
    require_role(request, READERS)
    form, events = _access_filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/access.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "channels": CHANNEL_LABELS,
            "formats": [f for f in EXPORT_FORMATS if may_export(request.user, f)],
            "alerts": recent_alerts(days=30),
        },
    )


@login_required
def access_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    require_role(request, READERS)
    if fmt not in EXPORT_FORMATS:
        raise Http404(fmt)
    require_export(request, AccessKind.ACCESS_EXPORT, fmt)
    form, events = _access_filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    # This export's own record, written below, is not part of it.
    newest = events.values_list("id", flat=True).first()
    events = events.filter(id__lte=newest or 0)
    if fmt == "xlsx":
        events = events[:XLSX_MAX_ROWS]
    do_record_access(
        request,
        AccessKind.ACCESS_EXPORT,
        fmt=fmt,
        object_type="core.accessevent",
        count=events.count(),
    )
    rows = (_access_row(e) for e in events.iterator(chunk_size=2000))
    return export_response(rows, ACCESS_COLUMNS, fmt, "reads")
