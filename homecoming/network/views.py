"""Network pages: accessibility of the settlements, a settlement's year, projects, editing.

Network data is national (every role reads it, administrators edit it); the settlements
listed pass through ``Area.objects.for_profile`` like everywhere else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

from homecoming.accounts.permissions import ADMINISTRATORS, require_profile, require_role
from homecoming.geography.models import Area
from homecoming.network import adapter, svg
from homecoming.network.engine import InputError
from homecoming.network.forms import EdgeForm, ImportForm, NodeForm
from homecoming.network.importers import read_upload
from homecoming.network.models import Edge, Node, Role
from homecoming.network.services import do_replace_network

DESTINATION_LABELS = {
    Role.DISTRICT_CENTRE: Role.DISTRICT_CENTRE.label,
    Role.HOSPITAL: Role.HOSPITAL.label,
    Role.REGIONAL_CITY: Role.REGIONAL_CITY.label,
}


def _month(request: HttpRequest) -> tuple[int, date]:
    """The month asked (``?month=1..12``, default this month) and its date this year."""
    today = timezone.localdate()
    try:
        month = int(request.GET.get("month", today.month))
    except ValueError:
        month = today.month
    month = min(max(month, 1), 12)
    return month, date(today.year, month, adapter.DAY_OF_MONTH)


def _months(current: int) -> list[tuple[int, str, bool]]:
    return [(m, str(MONTHS[m]), m == current) for m in range(1, 13)]


def _labels() -> dict[str, str]:
    return {role: str(label) for role, label in DESTINATION_LABELS.items()}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every settlement on the network: times this month, and what each project saves."""
    profile = require_profile(request)
    month, on = _month(request)
    data = adapter.load()
    linked = {info.area_id: n for n, info in data.nodes.items() if info.area_id is not None}
    settlements = [
        s
        for s in Area.objects.for_profile(profile).settlements().filter(pk__in=list(linked))
        if data.network.node(linked[s.pk]).kind != "service"
    ]
    sources = [linked[s.pk] for s in settlements]
    candidates_of = {linked[s.pk]: adapter.candidates_for(data, s.parent_id) for s in settlements}
    now = adapter.times_on(data, sources, candidates_of, on)
    planned = adapter.times_on(data, sources, candidates_of, on, with_planned=True)
    savings = adapter.project_savings(data, sources, candidates_of, on)
    families = adapter.families_by_area(s.pk for s in settlements)
    rows = [
        {
            "settlement": s,
            "node": data.network.node(linked[s.pk]),
            "now": [now[linked[s.pk]][r] for r in adapter.DESTINATIONS],
            "planned": [planned[linked[s.pk]][r] for r in adapter.DESTINATIONS],
            "families": families.get(s.pk, 0),
        }
        for s in settlements
    ]
    projects: dict[str, dict[str, Any]] = {}
    for s in settlements:
        for p in savings[linked[s.pk]]:
            entry = projects.setdefault(
                p.key, {"project": p, "families": 0, "settlements": [], "best": None}
            )
            if p.helps:
                entry["families"] += families.get(s.pk, 0)
                entry["settlements"].append(s)
                saved = p.saved(Role.REGIONAL_CITY)
                if saved is not None and (entry["best"] is None or saved > entry["best"]):
                    entry["best"] = saved
    network_map = svg.network_map(
        data,
        adapter.closed_on(data, on),
        adapter.unusable_on(data, on) - adapter.closed_on(data, on),
        title=_("The road network in %(month)s") % {"month": MONTHS[month]},
    )
    return render(
        request,
        "network/index.html",
        {
            "rows": rows,
            "projects": sorted(projects.values(), key=lambda e: e["project"].label),
            "destinations": [_labels()[r] for r in adapter.DESTINATIONS],
            "month": month,
            "month_name": MONTHS[month],
            "months": _months(month),
            "on": on,
            "map": network_map,
            "nodes_count": len(data.network.nodes),
            "edges_count": len(data.network.edges),
            "can_edit": profile.is_administrator,
        },
    )


@login_required
def settlement(request: HttpRequest, code: str) -> HttpResponse:
    """A settlement's accessibility: the year month by month, a chart, the map, projects."""
    profile = require_profile(request)
    area = get_object_or_404(
        Area.objects.for_profile(profile).settlements().select_related("parent"), code=code
    )
    month, on = _month(request)
    data = adapter.load()
    source = data.node_of_area(area.pk)
    context: dict[str, Any] = {
        "settlement": area,
        "month": month,
        "month_name": MONTHS[month],
        "months": _months(month),
        "on": on,
    }
    if source is None:
        return render(request, "network/settlement.html", context)
    labels = _labels()
    result = adapter.accessibility(data, source, area.parent_id, on.year, on)
    to = request.GET.get("to", Role.REGIONAL_CITY)
    if to not in adapter.DESTINATIONS:
        to = Role.REGIONAL_CITY
    target = result.months[month - 1].now[to].node_id
    route = adapter.route_to(data, source, target, on)
    families = adapter.families_by_area([area.pk]).get(area.pk, 0)
    closed = adapter.closed_on(data, on)
    names = {n.node_id: n.name for n in data.network.nodes}
    context.update(
        {
            "node": data.network.node(source),
            "labels": [labels[r] for r in adapter.DESTINATIONS],
            "destinations": [
                (r, labels[r], r == to, svg.ROLE_COLOURS[r]) for r in adapter.DESTINATIONS
            ],
            "to": to,
            "year": on.year,
            "table": [
                {
                    "on": m.on,
                    "selected": m.on.month == month,
                    "cells": [(m.now[r], m.planned[r]) for r in adapter.DESTINATIONS],
                }
                for m in result.months
            ],
            "names": names,
            "chart": svg.year_chart(result.months, labels),
            "map": svg.network_map(
                data,
                closed,
                adapter.unusable_on(data, on) - closed,
                route,
                focus=source,
                title=_("The road network in %(month)s") % {"month": MONTHS[month]},
            ),
            "route": route,
            "route_steps": [names[n] for n in route.nodes] if route else [],
            "target": labels[to],
            "target_name": names.get(target or "", ""),
            "projects": [
                {
                    "project": p,
                    "cells": [
                        (p.before[r].minutes, p.after[r].minutes, p.saved(r))
                        for r in adapter.DESTINATIONS
                    ],
                }
                for p in result.projects
            ],
            "families": families,
        }
    )
    return render(request, "network/settlement.html", context)


@login_required
def edges(request: HttpRequest) -> HttpResponse:
    """The nodes and edges, for everyone to read and administrators to edit or import."""
    profile = require_profile(request)
    form = None
    if profile.is_administrator:
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                imported = read_upload(form.cleaned_data["file"], form.cleaned_data["edges"])
            except InputError as exc:
                form.add_error(None, str(exc))
            else:
                summary = do_replace_network(imported)
                messages.success(
                    request,
                    _("Network replaced: %(nodes)d nodes and %(edges)d edges.")
                    % {"nodes": summary.nodes, "edges": summary.edges},
                )
                return redirect("network:edges")
    elif request.method == "POST":
        require_role(request, ADMINISTRATORS)
    today = timezone.localdate()
    edge_rows = list(Edge.objects.for_profile(profile).select_related("from_node", "to_node"))
    for edge in edge_rows:
        edge.today = edge.state_on(today)  # type: ignore[attr-defined]
    return render(
        request,
        "network/edges.html",
        {
            "nodes": Node.objects.for_profile(profile).select_related("area"),
            "edges": edge_rows,
            "can_edit": profile.is_administrator,
            "form": form,
        },
    )


def _edit(
    request: HttpRequest, form_class: Any, instance: Any, template: str, title: str
) -> HttpResponse:
    profile = require_role(request, ADMINISTRATORS)
    form = form_class(request.POST or None, instance=instance, profile=profile)
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, _("Saved %(name)s.") % {"name": obj})
        return redirect("network:edges")
    return render(request, template, {"form": form, "title": title, "instance": instance})


@login_required
def edge_edit(request: HttpRequest, edge_id: str | None = None) -> HttpResponse:
    instance = get_object_or_404(Edge, edge_id=edge_id) if edge_id else None
    title = _("Edit edge %(id)s") % {"id": edge_id} if edge_id else _("New edge")
    return _edit(request, EdgeForm, instance, "network/edit.html", title)


@login_required
def node_edit(request: HttpRequest, node_id: str | None = None) -> HttpResponse:
    instance = get_object_or_404(Node, node_id=node_id) if node_id else None
    title = _("Edit node %(id)s") % {"id": node_id} if node_id else _("New node")
    return _edit(request, NodeForm, instance, "network/edit.html", title)
