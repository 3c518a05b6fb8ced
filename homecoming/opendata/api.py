"""The open data through the API (docs/api.md, "Open data").

- ``GET /api/aggregates/?level=complex`` (``district``, ``settlement``, ``complex``, or
  ``household`` for one row per family with the export permission): JSON, or the HXL-tagged
  file with ``?format=csv`` / ``?format=xlsx`` (or the Accept header);
  ``GET /api/aggregates/<code>/``: the row of one district, settlement or complex.
- ``GET /api/places/?layer=settlement&layer=complex&layer=hazard_area``: GeoJSON
  (application/geo+json); ``GET /api/places/<code>/``: one Feature.
- ``GET /api/public-statistics/``: the published tables, no sign-in, small counts
  suppressed; ``GET /api/public-statistics/<figure>/``: one table.

Aggregates, places and family rows are scoped to the caller's district and recorded as
exports; the public statistics answer anyone, throttled like every anonymous request.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, renderers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from homecoming.accounts.models import Profile, profile_of
from homecoming.opendata import figures, geo
from homecoming.opendata.exporting import UnknownLevel, read_places, read_table, record
from homecoming.opendata.public import public_tables, published_figures
from homecoming.opendata.tables import (
    HOUSEHOLD,
    LEVELS,
    XLSX_TYPE,
    Table,
    aggregate_table,
    csv_text,
    xlsx_bytes,
)
from homecoming.readiness.models import HazardArea


class _TableRenderer(renderers.BaseRenderer):
    """A Table as a file; anything else (an error's detail) as JSON text."""

    charset = None

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        if isinstance(data, Table):
            return self.encode(data)
        return json.dumps(data, ensure_ascii=False, default=str).encode()

    def encode(self, table: Table) -> bytes:
        raise NotImplementedError


class HxlCsvRenderer(_TableRenderer):
    media_type = "text/csv"
    format = "csv"

    def encode(self, table: Table) -> bytes:
        return csv_text(table).encode()


class HxlXlsxRenderer(_TableRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"

    def encode(self, table: Table) -> bytes:
        return xlsx_bytes(table)


class GeoJsonRenderer(renderers.JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class JsonErrors:
    """Errors answered as JSON (as the schema declares them), whatever the success's format:
    a 404 of a GeoJSON or CSV address is still `{"detail": ...}` in application/json. An
    unknown ``?format=`` is the client's mistake in a parameter (400 naming it), not a missing
    page (DRF's 404)."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:
            formats = [r.format for r in self.get_renderers()]  # type: ignore[attr-defined]
            raise exceptions.ValidationError(
                {
                    "format": _("Not a format: %(format)s. One of: %(formats)s.")
                    % {
                        "format": request.query_params.get("format", ""),
                        "formats": ", ".join(formats),
                    }
                }
            ) from None

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = "application/json"
        return response  # type: ignore[no-any-return]


def _profile(request: Request) -> Profile:
    profile = profile_of(request.user)
    assert profile is not None  # RolePermission has refused anyone without one
    return profile


LEVEL_PARAMETER = OpenApiParameter(
    "level",
    str,
    enum=[*LEVELS, HOUSEHOLD],
    description="district, settlement, complex (default), or household (one row per family: "
    "needs the permission to export the format)",
)


class AggregateViewSet(JsonErrors, viewsets.ViewSet):
    """Families returned and waiting, homes by state and readiness, per district, settlement
    or complex, with HXL hashtags (``columns[].hxl``; the files carry them as their second
    row)."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    write_roles = frozenset[str]()
    renderer_classes = [
        renderers.JSONRenderer,
        renderers.BrowsableAPIRenderer,
        HxlCsvRenderer,
        HxlXlsxRenderer,
    ]

    @extend_schema(
        operation_id="aggregates_list",
        parameters=[LEVEL_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request: Request) -> Response:
        fmt = getattr(request.accepted_renderer, "format", "json")
        fmt = fmt if fmt in ("csv", "xlsx") else "json"
        level = request.query_params.get("level", "complex")
        try:
            table = read_table(request, _profile(request), level, fmt)
        except UnknownLevel:
            raise exceptions.ValidationError({"level": _("Not a level: %s.") % level}) from None
        if fmt != "json":
            response = Response(table)
            response["Content-Disposition"] = f'attachment; filename="homecoming-{level}.{fmt}"'
            return response
        return Response(
            {
                "level": table.level,
                "columns": [
                    {"key": c.key, "label": str(c.label), "hxl": c.tag} for c in table.columns
                ],
                "results": table.records(),
            }
        )

    @extend_schema(operation_id="aggregates_retrieve", responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        data = figures.aggregates(_profile(request))
        for level in ("complex", "settlement", "district"):
            table = aggregate_table(data, level)
            for row in table.records():
                if row.get(f"{level}_code") == code:
                    record(request, "json", f"opendata.{level}", 1)
                    return Response({"level": level, **row})
        raise Http404(code)


class PlaceViewSet(JsonErrors, viewsets.ViewSet):
    """Settlements, complexes and hazard areas as GeoJSON (RFC 7946, WGS 84 lon/lat)."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    write_roles = frozenset[str]()
    renderer_classes = [GeoJsonRenderer, renderers.JSONRenderer]

    @extend_schema(
        operation_id="places_list",
        parameters=[OpenApiParameter("layer", str, many=True, enum=list(geo.LAYERS))],
        responses={200: OpenApiTypes.OBJECT},
    )
    def list(self, request: Request) -> Response:
        layers = request.query_params.getlist("layer") or list(geo.LAYERS)
        unknown = [layer for layer in layers if layer not in geo.LAYERS]
        if unknown:
            raise exceptions.ValidationError({"layer": _("Not a layer: %s.") % ", ".join(unknown)})
        features = read_places(request, _profile(request), layers)
        return Response(geo.feature_collection(features))

    @extend_schema(operation_id="places_retrieve", responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, code: str | None = None) -> Response:
        profile = _profile(request)
        hazards = HazardArea.objects.for_profile(profile).filter(code=code)
        found = geo.places(
            figures.aggregates(profile), hazards.select_related("district"), geo.LAYERS
        )
        for feature in found:
            if feature["id"] == code:
                record(request, "json", "opendata.places", 1)
                return Response(feature)
        raise Http404(code)


class PublicStatisticsViewSet(viewsets.ViewSet):
    """The public statistics: no sign-in; a suppressed figure is null with ``suppressed``."""

    lookup_field = "figure"
    lookup_value_regex = "[^/]+"
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(operation_id="public_statistics_list", responses={200: OpenApiTypes.OBJECT})
    def list(self, request: Request) -> Response:
        found = public_tables()
        return Response(
            {
                "as_of": found["as_of"].isoformat(),
                "threshold": found["threshold"],
                "results": [t.as_json() for t in found["tables"]],
            }
        )

    @extend_schema(operation_id="public_statistics_retrieve", responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request: Request, figure: str | None = None) -> Response:
        if figure not in published_figures():
            raise Http404(figure)
        found = public_tables()
        table = next(t for t in found["tables"] if t.figure == figure)
        return Response(
            {
                "as_of": found["as_of"].isoformat(),
                "threshold": found["threshold"],
                **table.as_json(),
            }
        )
