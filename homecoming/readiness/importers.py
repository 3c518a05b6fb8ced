"""Hazard areas from GeoJSON: every feature is checked before anything is written.

A FeatureCollection of Polygon or MultiPolygon features in WGS 84 (lon, lat), with
properties `code` (or the feature's `id`), `status` (suspected, confirmed, cleared, released),
and optionally `name` and `released_on` (YYYY-MM-DD). A file with any fault is refused whole,
with the file, the feature's index and the field at fault.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any, NoReturn

from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from homecoming.accounts.lifecycles import role_of
from homecoming.core.files import FileRefused, decode_text
from homecoming.core.identifiers import identifier_problem
from homecoming.core.lifecycle import TransitionRefused
from homecoming.geography.models import Area
from homecoming.readiness import services
from homecoming.readiness.lifecycles import HAZARD
from homecoming.readiness.models import HazardArea, HazardStatus
from homecoming.readiness.services import HazardFeature, ImportReport, User


class HazardImportError(ValueError):
    """A GeoJSON file that cannot be imported; nothing was changed."""

    def __init__(self, file: str, message: str, index: int | None = None, field: str = "") -> None:
        self.file, self.index, self.field, self.message = file, index, field, message
        where = file
        if index is not None:
            where += _(", feature %(index)d") % {"index": index}
        if field:
            where += f", {field}"
        super().__init__(f"{where}: {message}")


def _position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
    )


def _check_rings(polygon: Any, fail: Any, path: str) -> None:
    if not isinstance(polygon, list) or not polygon:
        fail(path, _("a polygon is a non-empty list of rings"))
    for r, ring in enumerate(polygon):
        here = f"{path}[{r}]"
        if not isinstance(ring, list) or len(ring) < 4:
            fail(here, _("a ring needs at least four positions"))
        for p, pos in enumerate(ring):
            if not _position(pos):
                fail(f"{here}[{p}]", _("a position is [longitude, latitude]"))
            lon, lat = pos[0], pos[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                fail(
                    f"{here}[{p}]",
                    _("%(lon)s, %(lat)s is not a WGS 84 longitude, latitude")
                    % {"lon": lon, "lat": lat},
                )
        if ring[0][:2] != ring[-1][:2]:
            fail(here, _("the ring is not closed (first and last positions differ)"))


def parse_hazard_geojson(file: str, data: bytes | str) -> list[HazardFeature]:
    """Valid features of the file, or HazardImportError naming the first fault."""
    features = _features_of(file, data)
    statuses = set(HazardStatus.values)
    seen: set[str] = set()
    return [
        _FeatureParser(file, index, feature, statuses, seen).parse()
        for index, feature in enumerate(features)
    ]


def _features_of(file: str, data: bytes | str) -> list[Any]:
    """The non-empty list of features of a FeatureCollection, unchecked."""
    try:
        text = decode_text(data, file) if isinstance(data, bytes) else data
    except FileRefused as exc:
        raise HazardImportError(file, exc.message) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HazardImportError(file, _("not valid JSON (%(error)s)") % {"error": exc}) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise HazardImportError(file, _("expected a GeoJSON FeatureCollection"), field="type")
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise HazardImportError(file, _("no features"), field="features")
    return features


class _FeatureParser:
    """Checks one feature, field by field; the first fault raises HazardImportError.

    ``seen`` holds the codes of the features before it (a code appearing twice is a fault).
    """

    def __init__(
        self, file: str, index: int, feature: Any, statuses: set[str], seen: set[str]
    ) -> None:
        self.file, self.index, self.feature = file, index, feature
        self.statuses, self.seen = statuses, seen

    def fail(self, field: str, message: str) -> NoReturn:
        raise HazardImportError(self.file, message, index=self.index, field=field)

    def parse(self) -> HazardFeature:
        feature = self.feature
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            self.fail("type", _("expected a Feature"))
        props = feature.get("properties")
        if not isinstance(props, dict):
            self.fail("properties", _("missing properties"))
        code = self._code(props)
        status = self._status(props)
        name = props.get("name") or ""
        if not isinstance(name, str) or len(name) > 160:
            self.fail("properties.name", _("a name is text of at most 160 characters"))
        released_on = self._released_on(props)
        geometry, coords = self._geometry()
        return HazardFeature(
            code=code,
            name=name,
            status=status,
            geometry={"type": geometry["type"], "coordinates": coords},
            released_on=released_on,
        )

    def _code(self, props: dict[str, Any]) -> str:
        """The feature's code (``properties.code`` or its ``id``), new in the file."""
        code = props.get("code", self.feature.get("id"))
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not code.strip() or len(code.strip()) > 40:
            self.fail("properties.code", _("a code of 1 to 40 characters is required"))
        code = code.strip()
        problem = identifier_problem(code, 40)
        if problem is not None:
            self.fail("properties.code", problem)
        if code in self.seen:
            self.fail("properties.code", _("code %(code)s appears twice") % {"code": code})
        self.seen.add(code)
        return code

    def _status(self, props: dict[str, Any]) -> Any:
        status = props.get("status")
        if status not in self.statuses:
            self.fail(
                "properties.status",
                _("%(value)r is not one of %(choices)s")
                % {"value": status, "choices": ", ".join(sorted(self.statuses))},
            )
        return status

    def _released_on(self, props: dict[str, Any]) -> date | None:
        if props.get("released_on") in (None, ""):
            return None
        try:
            return date.fromisoformat(str(props["released_on"]))
        except ValueError:
            self.fail("properties.released_on", _("expected a date as YYYY-MM-DD"))

    def _geometry(self) -> tuple[dict[str, Any], Any]:
        """The geometry and its coordinates: a valid Polygon or MultiPolygon in WGS 84."""
        geometry = self.feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            self.fail("geometry.type", _("expected a Polygon or MultiPolygon"))
        coords = geometry.get("coordinates")
        if geometry["type"] == "Polygon":
            _check_rings(coords, self.fail, "geometry.coordinates")
        else:
            if not isinstance(coords, list) or not coords:
                self.fail(
                    "geometry.coordinates", _("a MultiPolygon is a non-empty list of polygons")
                )
            for i, polygon in enumerate(coords):
                _check_rings(polygon, self.fail, f"geometry.coordinates[{i}]")
        geom = shape(geometry)
        if not geom.is_valid:
            self.fail("geometry", _("invalid polygon: %(why)s") % {"why": explain_validity(geom)})
        return geometry, coords


def import_hazard_geojson(
    file: str, data: bytes | str, district: Area, user: User | None
) -> ImportReport:
    """Check the whole file, then write it in one transaction."""
    features = parse_hazard_geojson(file, data)
    role = role_of(user)
    current = dict(
        HazardArea.objects.filter(code__in=[f.code for f in features]).values_list("code", "status")
    )
    for index, f in enumerate(features):
        if f.code in current:
            try:
                HAZARD.check_move(current[f.code], f.status, role)
            except TransitionRefused as exc:
                raise HazardImportError(
                    file, str(exc), index=index, field="properties.status"
                ) from exc
    return services.do_import_hazard_areas(features, district, file, user)
