"""The programme dashboard (``/``): families and homes, returns by month against the targets,
homes by state per settlement and complex, the readiness blockers ranked by the families they
hold back, who is still waiting, the forecast, the kept history's trend and a map; filterable
by district and stage, or read "as of" a past day from the kept snapshots. The top layer: it
reads every app below it.

Every filter value is checked against the reader's scope: a district officer asking for
another district gets a 404, as for any object outside their scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from homecoming.accounts.models import Profile
from homecoming.accounts.permissions import current_user, require_profile
from homecoming.core.access import recent_alerts
from homecoming.core.maps import collection, geojson_response, map_config
from homecoming.core.models import Job
from homecoming.dashboard import history
from homecoming.dashboard.figures import HOME_STATES, Scope, compute, places_of
from homecoming.dashboard.svg import STATE_CLASSES, returns_chart, trend_chart
from homecoming.geography.models import Area
from homecoming.readiness.kinds import kind_name
from homecoming.readiness.mapdata import Place, place_feature
from homecoming.readiness.models import Stage
from homecoming.registry.models import ShelterKind


@dataclass(frozen=True)
class Asked:
    """The filters of a request, checked against the reader's scope."""

    scope: Scope
    as_of: date | None
    districts: list[Area]
    stages: list[int]

    def query(self) -> str:
        params: dict[str, Any] = {}
        if self.scope.district is not None:
            params["district"] = self.scope.district.code
        if self.scope.stage is not None:
            params["stage"] = self.scope.stage
        if self.as_of is not None:
            params["as_of"] = self.as_of.isoformat()
        return urlencode(params)


def scope_asked(request: HttpRequest, profile: Profile) -> Asked:
    """``?district=CODE&stage=N&as_of=YYYY-MM-DD``: a district outside the reader's scope
    (or unknown) and a stage the programme does not have are a 404; a district officer's
    figures are always their district's."""
    districts = list(Area.objects.for_profile(profile).districts().order_by("code"))
    stages = sorted(
        set(Stage.objects.for_profile(profile).values_list("number", flat=True).distinct())
    )
    district: Area | None = None
    code = request.GET.get("district", "")
    if code:
        district = next((d for d in districts if d.code == code), None)
        if district is None:
            raise Http404(_("No such district in your area."))
    elif profile.district_id is not None:
        district = next((d for d in districts if d.pk == profile.district_id), None)
    stage: int | None = None
    if request.GET.get("stage"):
        try:
            stage = int(request.GET["stage"])
        except ValueError:
            raise Http404(_("No such stage.")) from None
        if stage not in stages:
            raise Http404(_("No such stage."))
    as_of: date | None = None
    if request.GET.get("as_of"):
        try:
            as_of = date.fromisoformat(request.GET["as_of"])
        except ValueError:
            raise Http404(_("Not a date.")) from None
        if as_of >= timezone.localdate():
            as_of = None  # today is today's state
    return Asked(Scope(district, stage), as_of, districts, stages)


def figures_for(profile: Profile, asked: Asked) -> tuple[dict[str, Any] | None, Any]:
    """Today's figures, or the kept snapshot of the day asked (None if none was kept)."""
    if asked.as_of is None:
        return compute(profile, asked.scope), None
    kept = history.as_of(asked.scope.district, asked.as_of)
    return (kept.figures if kept else None), kept


def area_names(codes: set[str]) -> dict[str, str]:
    """Names of the areas of ``codes``, in the active language (the figures keep codes)."""
    return {a.code: a.name for a in Area.objects.filter(code__in=codes - {""})}


def labelled(figures: dict[str, Any]) -> dict[str, Any]:
    """Words for the codes the figures keep, in the reader's language (added to ``figures``;
    the monthly PDF names its figures with it too)."""
    shelters = dict(ShelterKind.choices)
    for row in figures["waiting_by_shelter"]:
        row["label"] = shelters.get(row["kind"], row["kind"])
    reasons = {
        "missing": _("not recorded yet"),
        "pending": _("not finished"),
        "hazard": _("hazard area not released"),
        "undetermined": _("no readiness rule applies"),
        "unplaced": _("no coordinates to check hazard areas"),
    }
    codes = {p["code"] for p in figures["places"]}
    codes |= {
        r["area"]
        for key in ("stages", "waiting_by_origin", "blockers", "forecast")
        for r in figures[key]
    }
    names = area_names(codes)
    for key in ("places", "stages", "waiting_by_origin", "forecast"):
        for row in figures[key]:
            code = row.get("area", row.get("code"))
            row["area_name"] = names.get(code, code)
    for row in figures["blockers"]:
        kind = row["why"] in ("missing", "pending")
        row["what"] = (kind_name(row["code"], row["label"]) if kind else row["label"]) or reasons[
            row["why"]
        ]
        row["reason"] = reasons[row["why"]]
        row["place"] = row["complex"] or names.get(row["area"], row["area"])
    return figures


def state_names() -> dict[str, str]:
    """The home states' names in the active language."""
    return {
        "planned": _("planned"),
        "building": _("under construction"),
        "built": _("built, place not ready"),
        "ready": _("ready, free"),
        "offered": _("offered"),
        "allocated": _("allocated"),
        "occupied": _("occupied"),
    }


def _states() -> list[tuple[str, str, str]]:
    names = state_names()
    return [(s, names[s], STATE_CLASSES[s]) for s in HOME_STATES]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    asked = scope_asked(request, profile)
    figures, kept = figures_for(profile, asked)
    until = asked.as_of or timezone.localdate()
    # The kept history is per district, or national for readers of every district.
    trend = (
        history.trend(asked.scope.district, until)
        if asked.scope.district is not None or profile.district_id is None
        else []
    )
    query = asked.query()
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "f": labelled(figures) if figures else None,
            "asked": asked,
            "kept": kept,
            "states": _states(),
            "returns_chart": returns_chart(figures["returns"], figures["stages"])
            if figures
            else "",
            "trend_chart": trend_chart(trend),
            "map": map_config(
                [reverse("dashboard-map-data") + (f"?{query}" if query else "")],
                {"settlement": _("Settlements"), "complex": _("Complexes")},
                _("Nothing to show."),
            ),
            "jobs": Job.objects.filter(created_by=current_user(request))[:5],
            # Administrators see who read more than the hourly threshold (core.access).
            "bulk_read_alerts": list(recent_alerts()) if profile.is_administrator else [],
        },
    )


@login_required
def map_data(request: HttpRequest) -> HttpResponse:
    """The dashboard's places as GeoJSON, with the same filters (and "as of") as the page:
    settlements and complexes coloured by the gate's verdict, sized by their homes."""
    profile = require_profile(request)
    asked = scope_asked(request, profile)
    if asked.as_of is None:
        rows = places_of(profile, asked.scope)
    else:
        kept = history.as_of(asked.scope.district, asked.as_of)
        rows = kept.figures["places"] if kept else []
    names = area_names({p["code"] for p in rows})
    places: list[Place] = []
    for p in rows:
        p["area_name"] = names.get(p["code"], p["code"])
        if p["lat"] is not None and p["lon"] is not None:
            places.append(
                Place(
                    "settlement",
                    p["code"],
                    p["area_name"],
                    p["lat"],
                    p["lon"],
                    bool(p["ready"]),
                    p["total"],
                    p["homes"]["occupied"],
                )
            )
        for c in p["complexes"]:
            if c["lat"] is not None and c["lon"] is not None:
                places.append(
                    Place(
                        "complex",
                        c["code"],
                        c["name"],
                        c["lat"],
                        c["lon"],
                        c["ready"],
                        c["total"],
                        c["homes"]["occupied"],
                    )
                )
    places.sort(key=lambda p: (p.kind != "settlement", p.name))
    return geojson_response(collection([place_feature(p) for p in places]))
