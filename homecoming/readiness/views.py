"""Readiness pages: matrix, item editing, timeline, map and hazard import, schools, stages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from homecoming.accounts.models import Profile, Role
from homecoming.accounts.permissions import EDITORS, current_user, require_profile, require_role
from homecoming.core.access import do_record_access
from homecoming.core.files import FileRefused, attachment, limit, read_upload, sniff_evidence
from homecoming.core.lifecycle import TransitionRefused
from homecoming.core.maps import geojson_response, map_config, month_asked
from homecoming.core.models import AccessKind, AuditEvent
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.readiness import mapdata, services, svg
from homecoming.readiness.forms import EvidenceForm, HazardImportForm, HazardStatusForm, ItemForm
from homecoming.readiness.gate import assess, assess_settlements
from homecoming.readiness.importers import HazardImportError, import_hazard_geojson
from homecoming.readiness.models import (
    Evidence,
    HazardArea,
    HazardStatus,
    ItemKind,
    ReadinessItem,
    School,
    Scope,
    Stage,
)
from homecoming.readiness.planning import school_plans, stage_progress


def _can_edit(profile: Profile) -> bool:
    return profile.role in (Role.ADMINISTRATOR, Role.DISTRICT_OFFICER)


def _places(profile: Profile) -> tuple[list[Area], dict[int, list[ResidentialComplex]]]:
    """Settlements in scope that have complexes or items, and their complexes."""
    complexes = list(
        ResidentialComplex.objects.for_profile(profile).select_related("settlement__parent")
    )
    by_settlement: dict[int, list[ResidentialComplex]] = defaultdict(list)
    for c in complexes:
        by_settlement[c.settlement_id].append(c)
    settlements = list(
        Area.objects.for_profile(profile)
        .settlements()
        .filter(
            pk__in=set(by_settlement)
            | set(
                ReadinessItem.objects.filter(settlement__isnull=False).values_list(
                    "settlement_id", flat=True
                )
            )
        )
        .select_related("parent")
    )
    return settlements, by_settlement


@login_required
def matrix(request: HttpRequest) -> HttpResponse:
    """Settlements and complexes × item kinds, coloured by status, with the gate's verdict."""
    profile = require_profile(request)
    kinds = list(ItemKind.objects.filter(active=True))
    settlements, by_settlement = _places(profile)
    items: dict[tuple[str, int], dict[int, ReadinessItem]] = defaultdict(dict)
    for item in ReadinessItem.objects.for_profile(profile):
        key = ("c", item.complex_id) if item.complex_id else ("s", item.settlement_id)
        items[key][item.kind_id] = item  # type: ignore[index]
    all_complexes = [c for cs in by_settlement.values() for c in cs]
    verdicts = assess(all_complexes)
    settlement_verdicts = assess_settlements(settlements)
    rows = []
    for s in settlements:
        cells = [(k, items[("s", s.pk)].get(k.pk)) for k in kinds]
        rows.append(
            {
                "settlement": s,
                "place": s,
                "cells": cells,
                "is_complex": False,
                "assessment": settlement_verdicts[s.pk],
            }
        )
        for c in by_settlement.get(s.pk, []):
            cells = [(k, items[("c", c.pk)].get(k.pk)) for k in kinds]
            rows.append(
                {
                    "settlement": s,
                    "place": c,
                    "cells": cells,
                    "is_complex": True,
                    "assessment": verdicts[c.pk],
                }
            )
    return render(
        request,
        "readiness/matrix.html",
        {
            "kinds": kinds,
            "rows": rows,
            "can_edit": _can_edit(profile),
            "scope_settlement": Scope.SETTLEMENT,
            "scope_complex": Scope.COMPLEX,
        },
    )


def _visible_item(profile: Profile, pk: int) -> ReadinessItem:
    return get_object_or_404(
        ReadinessItem.objects.for_profile(profile).select_related(
            "kind", "settlement__parent", "complex__settlement__parent"
        ),
        pk=pk,
    )


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    """Record an item of a kind for a settlement or complex (from an empty matrix cell)."""
    profile = require_role(request, EDITORS)
    kind = get_object_or_404(ItemKind, code=request.GET.get("kind", ""))
    where: dict[str, Any] = {}
    if request.GET.get("complex"):
        where["complex_"] = get_object_or_404(
            ResidentialComplex.objects.for_profile(profile), pk=request.GET["complex"]
        )
        existing = ReadinessItem.objects.filter(kind=kind, complex=where["complex_"]).first()
    elif request.GET.get("settlement"):
        where["settlement"] = get_object_or_404(
            Area.objects.for_profile(profile).settlements(), pk=request.GET["settlement"]
        )
        existing = ReadinessItem.objects.filter(kind=kind, settlement=where["settlement"]).first()
    else:
        raise Http404
    if existing:
        return redirect("readiness:item", pk=existing.pk)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = services.do_save_item(
            kind=kind, user=current_user(request), **where, **form.cleaned_data
        )
        messages.success(request, _("Saved."))
        return redirect("readiness:item", pk=item.pk)
    place = where.get("complex_") or where.get("settlement")
    return render(
        request,
        "readiness/item.html",
        {"form": form, "kind": kind, "place": place, "item": None, "can_edit": True},
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    item = _visible_item(profile, pk)
    can_edit = _can_edit(profile)
    form = ItemForm(instance=ReadinessItem.objects.get(pk=item.pk))
    evidence_form = EvidenceForm()
    if request.method == "POST":
        require_role(request, EDITORS)
        if "file" in request.FILES:
            evidence_form = EvidenceForm(request.POST, request.FILES)
            if evidence_form.is_valid():
                services.do_add_evidence(
                    item,
                    evidence_form.cleaned_data["title"],
                    evidence_form.cleaned_data["file"],
                    current_user(request),
                )
                messages.success(request, _("Document added."))
                return redirect("readiness:item", pk=item.pk)
        else:
            form = ItemForm(request.POST, instance=ReadinessItem.objects.get(pk=item.pk))
            if form.is_valid():
                try:
                    services.do_save_item(
                        kind=item.kind, item=item, user=current_user(request), **form.cleaned_data
                    )
                except TransitionRefused as exc:
                    form.add_error("status", str(exc))
                else:
                    messages.success(request, _("Saved."))
                    return redirect("readiness:item", pk=item.pk)
    return render(
        request,
        "readiness/item.html",
        {
            "item": item,
            "kind": item.kind,
            "place": item.place,
            "form": form,
            "evidence_form": evidence_form,
            "evidence": item.evidence.all(),
            "changes": change_rows(
                ReadinessItem.objects.filter(pk=item.pk), HazardArea.objects.none(), limit=50
            ),
            "can_edit": can_edit,
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence document, to whoever may see its item; always as a download."""
    profile = require_profile(request)
    evidence = get_object_or_404(
        Evidence.objects.filter(item__in=ReadinessItem.objects.for_profile(profile)), pk=pk
    )
    response = _stored_attachment(evidence.file)
    # Evidence is a document about works, not an export of the registry: no format permission.
    do_record_access(
        request, AccessKind.EVIDENCE, fmt="file", object_type="readiness.evidence", ids=[pk]
    )
    return response


@login_required
def hazard_certificate(request: HttpRequest, code: str) -> FileResponse:
    profile = require_profile(request)
    area = get_object_or_404(HazardArea.objects.for_profile(profile), code=code)
    if not area.certificate:
        raise Http404
    response = _stored_attachment(area.certificate)
    do_record_access(
        request,
        AccessKind.HAZARD_CERTIFICATE,
        fmt="file",
        object_type="readiness.hazardarea",
        ids=[area.pk],
    )
    return response


def _stored_attachment(field: Any) -> FileResponse:
    name = Path(field.name).name
    try:
        stream = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = stream.read(4096)
    stream.seek(0)
    # The type is told again from the bytes: a file stored before the check was added is
    # served as an opaque download, never as what its name claims.
    return attachment(stream, name, sniff_evidence(head) or "application/octet-stream")


@login_required
def timeline(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    items = (
        ReadinessItem.objects.for_profile(profile)
        .select_related("kind", "settlement", "complex")
        .order_by("settlement__code", "complex__code", "kind__order")
    )
    rows = [
        svg.TimelineRow(
            label=i.kind.label,
            group=str(i.complex.name if i.complex else i.settlement),
            status=i.status,
            planned_start=i.planned_start,
            planned_end=i.planned_end,
            actual_end=i.actual_end,
        )
        for i in items
        if i.planned_end or i.actual_end
    ]
    chart = svg.timeline(rows, timezone.localdate()) if rows else None
    return render(
        request,
        "readiness/timeline.html",
        {"chart": chart, "colours": svg.STATUS_COLOURS.items(), "statuses": _status_labels()},
    )


def _status_labels() -> list[tuple[str, str, str]]:
    from homecoming.readiness.models import ItemStatus

    return [(c, str(label), svg.STATUS_COLOURS[c]) for c, label in ItemStatus.choices]


@login_required
def hazard_map(request: HttpRequest) -> HttpResponse:
    """Hazard areas and complexes; editors import GeoJSON and move areas to release here."""
    profile = require_profile(request)
    form = HazardImportForm(profile=profile)
    if request.method == "POST":
        require_role(request, EDITORS)
        form = HazardImportForm(request.POST, request.FILES, profile=profile)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = read_upload(upload, limit("import_max_bytes"))
                report = import_hazard_geojson(
                    upload.name, data, form.cleaned_data["district"], current_user(request)
                )
            except (HazardImportError, FileRefused) as exc:
                messages.error(
                    request, _("Import refused, nothing was changed. %(error)s") % {"error": exc}
                )
            else:
                messages.success(
                    request,
                    _("Imported: %(created)d new hazard areas, %(updated)d updated.")
                    % {"created": report.created, "updated": report.updated},
                )
                return redirect("readiness:map")
    areas = list(HazardArea.objects.for_profile(profile).select_related("district"))
    complexes = list(
        ResidentialComplex.objects.for_profile(profile).select_related("settlement__parent")
    )
    verdicts = assess(complexes)
    month, _on = month_asked(request)
    return render(
        request,
        "readiness/map.html",
        {
            # Each area's form shows the area's own status and release date.
            "areas": [(a, _status_form(a)) for a in areas],
            "form": form,
            "can_edit": _can_edit(profile),
            "verdicts": [(c, verdicts[c.pk]) for c in complexes],
            "map": hazard_map_config(month),
            "month": month,
            "months": [(m, MONTHS[m]) for m in range(1, 13)],
            "hazard_statuses": HazardStatus.choices,
        },
    )


def _status_form(area: HazardArea) -> HazardStatusForm:
    return HazardStatusForm(
        initial={"status": area.status, "released_on": area.released_on},
        auto_id=f"id_{area.code}_%s",
    )


def hazard_map_config(month: int) -> dict[str, Any]:
    """The hazard map: our places and hazard areas over the roads of ``month``."""
    return map_config(
        [reverse("readiness:map_data"), reverse("network:map_data") + f"?month={month}"],
        {
            "road": _("Roads"),
            "hazard": _("Hazard areas"),
            "settlement": _("Settlements"),
            "complex": _("Complexes"),
        },
        _("Nothing to show."),
    )


@login_required
def map_data(request: HttpRequest) -> HttpResponse:
    """The readiness layers (GeoJSON) in the reader's scope: places by the gate with their
    returns, hazard areas by status."""
    profile = require_profile(request)
    return geojson_response(mapdata.load(profile, *_places(profile)))


@login_required
def hazard_status(request: HttpRequest, code: str) -> HttpResponse:
    profile = require_role(request, EDITORS)
    area = get_object_or_404(HazardArea.objects.for_profile(profile), code=code)
    form = HazardStatusForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_hazard_status(
                area,
                form.cleaned_data["status"],
                current_user(request),
                released_on=form.cleaned_data["released_on"],
                certificate=form.cleaned_data["certificate"],
            )
        except TransitionRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Hazard area %(code)s updated.") % {"code": area.code})
    elif request.method == "POST":
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("readiness:map")


@login_required
def schools(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    found = (
        School.objects.for_profile(profile)
        .select_related("settlement")
        .prefetch_related("catchment")
    )
    plans = school_plans(found)
    return render(
        request,
        "readiness/schools.html",
        {"plans": [(p, svg.school_chart(p)) for p in plans]},
    )


@login_required
def stages(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    found = (
        Stage.objects.for_profile(profile)
        .select_related("settlement")
        .prefetch_related(
            Prefetch("complexes", queryset=ResidentialComplex.objects.select_related("settlement"))
        )
    )
    return render(request, "readiness/stages.html", {"progress": stage_progress(found)})


#: The fields each readiness table shows in its change history (the audit trail has all).
CHANGE_FIELDS: dict[type[Any], tuple[str, ...]] = {
    ReadinessItem: (*services.ITEM_FIELDS, "evidence"),  # "evidence": rows of the old log
    HazardArea: ("status", "released_on", "certificate"),
    Evidence: ("title", "file"),
}


@dataclass
class ChangeRow:
    at: Any
    actor: str
    subject: str
    item_id: int | None
    field: str
    before: Any
    after: Any


def change_rows(items: Any, hazards: Any, limit: int = 200) -> list[ChangeRow]:
    """The audit trail of these items (with their evidence) and hazard areas, one row per
    changed field, newest first."""
    scoped: dict[type[Any], Any] = {
        ReadinessItem: items,
        HazardArea: hazards,
        Evidence: Evidence.objects.filter(item__in=items),
    }
    events: Any = AuditEvent.objects.none()
    for rows in scoped.values():
        events = events | AuditEvent.objects.of(rows)
    events = list(events.order_by("-id")[:limit])
    subjects: dict[tuple[str, str], tuple[str, int | None]] = {}
    for model, rows in scoped.items():
        table = model._meta.db_table
        wanted = {e.object_pk for e in events if e.table == table}
        related = ("item__kind",) if model is Evidence else ()
        for obj in rows.filter(pk__in=wanted).select_related(*related):
            item_id = obj.pk if model is ReadinessItem else getattr(obj, "item_id", None)
            label = f"{obj.item} — {obj}" if model is Evidence else str(obj)
            subjects[(table, str(obj.pk))] = (label, item_id)
    found = []
    for event in events:
        model = next(m for m in CHANGE_FIELDS if m._meta.db_table == event.table)
        subject, item_id = subjects.get((event.table, event.object_pk), (event.object_pk, None))
        for name, before, after in event.diff():
            if name in CHANGE_FIELDS[model] and (before or after):
                label, shown = _field_words(model, name)
                found.append(
                    ChangeRow(
                        event.at, event.actor, subject, item_id, label, shown(before), shown(after)
                    )
                )
    return found


def _field_words(model: type[Any], column: str) -> tuple[str, Callable[[Any], Any]]:
    """A logged column as people read it: the field's name in the reader's language
    ("actual completion", not actual_end) and its values by their labels (a status's
    words, not its code)."""
    try:
        field = model._meta.get_field(column)
    except FieldDoesNotExist:
        return (str(_("evidence")) if column == "evidence" else column), lambda v: v
    choices = {str(k): str(v) for k, v in (getattr(field, "choices", None) or [])}
    return str(field.verbose_name), lambda v: choices.get(str(v), v) if v is not None else v


@login_required
def changes(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    rows = change_rows(
        ReadinessItem.objects.for_profile(profile), HazardArea.objects.for_profile(profile)
    )
    return render(request, "readiness/changes.html", {"changes": rows})
