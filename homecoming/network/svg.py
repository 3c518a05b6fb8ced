"""The network map and the year chart, drawn on the server as inline SVG."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.core.palette import PALETTE
from homecoming.core.svgmap import Projection, empty, svg
from homecoming.network.adapter import DESTINATIONS, MonthRow, NetworkData
from homecoming.network.engine.graph import Route
from homecoming.network.models import Role

ROLE_COLOURS: dict[str, str] = {
    Role.DISTRICT_CENTRE: PALETTE["blue"],
    Role.HOSPITAL: PALETTE["red"],
    Role.REGIONAL_CITY: PALETTE["dark-green"],
}
MODE_COLOURS = {
    "road": PALETTE["slate"],
    "tunnel": PALETTE["charcoal"],
    "pass": PALETTE["brown"],
    "cableway": PALETTE["purple"],
    "rail": PALETTE["rail"],
    "air": PALETTE["sky"],
}
CLOSED_COLOUR = PALETTE["red"]
PROJECT_COLOUR = PALETTE["amber"]
ROUTE_COLOUR = PALETTE["blue"]


def _core_range(values: Sequence[float]) -> tuple[float, float]:
    """The range of the values without far outliers (a flight to a distant capital)."""
    ordered = sorted(values)
    n = len(ordered)
    lo, hi = ordered[n // 10], ordered[(9 * n) // 10]
    span = max(hi - lo, 0.05)
    kept = [v for v in ordered if lo - span <= v <= hi + span]
    return kept[0], kept[-1]


def network_map(
    data: NetworkData,
    closed: Collection[str],
    unbuilt: Collection[str],
    route: Route | None = None,
    focus: str | None = None,
    title: str = "",
) -> SafeString:
    """Edges coloured by mode; closed in the season in red, not built yet dashed in amber;
    the route drawn over them in blue; settlements and services labelled."""
    net = data.network
    width = 900
    if not net.nodes:
        return empty(width, _("The network is empty."))
    lat_lo, lat_hi = _core_range([n.lat for n in net.nodes])
    lon_lo, lon_hi = _core_range([n.lon for n in net.nodes])
    proj = Projection.fit([lat_lo, lat_hi], [lon_lo, lon_hi], width=width, pad=0.08)
    xy = proj.xy
    at = {n.node_id: n for n in net.nodes}
    body = [f'<rect width="{proj.width}" height="{proj.height}" fill="{PALETTE["map-bg"]}"/>']
    for e in net.edges:
        a, b = at[e.from_node], at[e.to_node]
        label = data.edges[e.edge_id].label(e.edge_id)
        if e.edge_id in closed:
            colour, dash, state = CLOSED_COLOUR, ' stroke-dasharray="2 4"', _("closed this month")
        elif e.edge_id in unbuilt:
            colour, dash, state = PROJECT_COLOUR, ' stroke-dasharray="8 4"', _("not open yet")
        else:
            colour, dash, state = MODE_COLOURS.get(e.mode, PALETTE["unknown"]), "", _("open")
        if e.mode == "air":
            dash = ' stroke-dasharray="1 5"'
        stroke = 3.5 if e.mode in ("tunnel", "pass") else 2.5
        tip = f"{label}: {e.mode}, {e.length_km:g} km, {e.travel_minutes:.0f} min, {state}"
        body.append(
            f'<path class="edge edge-{escape(e.mode)}" data-edge="{escape(e.edge_id)}" '
            f'd="M{xy(a.lon, a.lat)} L{xy(b.lon, b.lat)}" stroke="{colour}" '
            f'stroke-width="{stroke}" fill="none"{dash}><title>{escape(tip)}</title></path>'
        )
    if route is not None:
        points = " L".join(xy(at[n].lon, at[n].lat) for n in route.nodes)
        # gettext outside the f-strings: xgettext does not read inside them
        route_tip = _("Route: %(min).0f min, %(km).1f km") % {"min": route.minutes, "km": route.km}
        body.append(
            f'<path class="route" d="M{points}" stroke="{ROUTE_COLOUR}" stroke-width="7" '
            f'stroke-opacity=".55" fill="none" stroke-linejoin="round" stroke-linecap="round">'
            f"<title>{escape(route_tip)}</title></path>"
        )
    for n in net.nodes:
        role = data.nodes[n.node_id].role
        x, y = proj.point(n.lon, n.lat)
        if not (-20 <= x <= proj.width + 20 and -20 <= y <= proj.height + 20):
            continue
        colour = ROLE_COLOURS.get(
            role, PALETTE["charcoal"] if n.kind == "settlement" else PALETTE["grey"]
        )
        r = 7 if n.node_id == focus else 5 if role or n.kind == "settlement" else 3
        body.append(
            f'<circle class="node" data-node="{escape(n.node_id)}" cx="{x:.1f}" cy="{y:.1f}" '
            f'r="{r}" fill="{colour}" stroke="{PALETTE["white"]}"><title>{escape(n.name)}</title></circle>'
        )
        if n.kind == "settlement" or n.node_id == focus:
            weight = ' font-weight="bold"' if n.node_id == focus else ""
            body.append(
                f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" fill="{PALETTE["label"]}"{weight}>{escape(n.name)}</text>'
            )
    return svg(proj.width, proj.height, body, title or _("Map of the road network"))


def _ticks(top: float) -> list[int]:
    step = 30 if top <= 240 else 60 if top <= 600 else 120
    return list(range(0, int(top) + 1, step))


def year_chart(months: Sequence[MonthRow], labels: dict[str, str]) -> SafeString:
    """Minutes to each destination over the year: solid as things stand, dashed with the
    planned projects; a red cross at the top where a destination cannot be reached."""
    values = [
        r.minutes
        for m in months
        for reaches in (m.now, m.planned)
        for r in reaches.values()
        if r.minutes is not None
    ]
    top = max([60.0, *values]) * 1.1
    top = math.ceil(top / 30) * 30
    left, slot, h, top_pad = 50, 60, 220, 20
    width, height = left + slot * 12 + 20, top_pad + h + 40

    def x(i: int) -> float:
        return left + slot * i + slot / 2

    def y(v: float) -> float:
        return top_pad + h - h * v / top

    body = []
    for t in _ticks(top):
        body.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
            f'stroke="{PALETTE["grid"]}"/><text x="{left - 4}" y="{y(t) + 4:.1f}" text-anchor="end" '
            f'fill="{PALETTE["chart-text"]}">{t}</text>'
        )
    for i, m in enumerate(months):
        body.append(
            f'<text x="{x(i):.1f}" y="{top_pad + h + 16}" text-anchor="middle" fill="{PALETTE["chart-text"]}">'
            f"{m.on.month}</text>"
        )
    caption = _("minutes, by month of %(year)s") % {"year": months[0].on.year if months else ""}
    no_route = _("no route")
    body.append(
        f'<text x="{left}" y="{top_pad + h + 34}" fill="{PALETTE["chart-text"]}">'
        f"{escape(caption)}</text>"
    )
    for role in DESTINATIONS:
        colour = ROLE_COLOURS[role]
        for planned in (False, True):
            dash = ' stroke-dasharray="6 4"' if planned else ""
            series = [(m.planned if planned else m.now)[role] for m in months]
            segments: list[list[str]] = [[]]
            for i, reach in enumerate(series):
                if reach.minutes is None:
                    segments.append([])
                    body.append(
                        f'<text class="unreachable" x="{x(i):.1f}" y="{top_pad - 4}" '
                        f'text-anchor="middle" fill="{colour}">×<title>'
                        f"{escape(labels[role])}: {escape(no_route)}</title></text>"
                    )
                    continue
                segments[-1].append(f"{x(i):.1f},{y(reach.minutes):.1f}")
            kind = _("with planned projects") if planned else _("as things stand")
            for seg in segments:
                if len(seg) > 1:
                    body.append(
                        f'<polyline class="series series-{role}" points="{" ".join(seg)}" '
                        f'fill="none" stroke="{colour}" stroke-width="2.5"{dash}>'
                        f"<title>{escape(labels[role])} ({escape(kind)})</title></polyline>"
                    )
            if not planned:
                for i, reach in enumerate(series):
                    if reach.minutes is not None:
                        tip = f"{labels[role]}, {months[i].on:%Y-%m-%d}: {reach.minutes:.0f} min"
                        body.append(
                            f'<circle cx="{x(i):.1f}" cy="{y(reach.minutes):.1f}" r="3.5" '
                            f'fill="{colour}"><title>{escape(tip)}</title></circle>'
                        )
    return svg(width, height, body, _("Travel time over the year"))
