"""The export page and its downloads (signed in), and the public statistics page (no sign-in)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.accounts.permissions import require_profile
from homecoming.accounts.privacy import may_export
from homecoming.opendata import geo
from homecoming.opendata.exporting import read_places, read_table, throttled
from homecoming.opendata.public import public_tables
from homecoming.opendata.tables import HOUSEHOLD, LEVELS, XLSX_TYPE, csv_text, xlsx_bytes

FILE_FORMATS = ("csv", "xlsx")


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    """What can be taken away, in which formats, and the API's addresses."""
    require_profile(request)
    return render(
        request,
        "opendata/exports.html",
        {
            "levels": [
                ("district", _("Districts")),
                ("settlement", _("Settlements")),
                ("complex", _("Residential complexes")),
            ],
            "formats": FILE_FORMATS,
            "household_formats": [f for f in FILE_FORMATS if may_export(request.user, f)],
        },
    )


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d")


@login_required
def export(request: HttpRequest, level: str, fmt: str) -> HttpResponse:
    """One level's table as an HXL-tagged CSV or XLSX file."""
    profile = require_profile(request)
    if fmt not in FILE_FORMATS or level not in (*LEVELS, HOUSEHOLD):
        raise Http404(f"{level}.{fmt}")
    table = read_table(request, profile, level, fmt)
    name = f"homecoming-{level}-{_stamp()}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(csv_text(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def places(request: HttpRequest) -> HttpResponse:
    """Settlements, complexes and hazard areas as one GeoJSON file (``?layer=`` narrows)."""
    profile = require_profile(request)
    layers = request.GET.getlist("layer") or list(geo.LAYERS)
    if any(layer not in geo.LAYERS for layer in layers):
        raise Http404(_("No such layer."))
    collection = geo.feature_collection(read_places(request, profile, layers))
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="homecoming-places-{_stamp()}.geojson"'
    response["Cache-Control"] = "private, no-store"
    return response


def statistics(request: HttpRequest) -> HttpResponse:
    """The public statistics: no sign-in, aggregates only, small counts suppressed."""
    refused = throttled(request)
    if refused is not None:
        return refused
    return render(request, "opendata/statistics.html", public_tables())
