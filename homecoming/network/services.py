"""Writes to the network: each ``do_*`` is one transaction and trusts checked input."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from homecoming.network.importers import DEMO_DIR, ImportedNetwork, NodeExtra, read_network_file
from homecoming.network.models import Edge, Node

BATCH = 2000


@dataclass(frozen=True)
class ImportSummary:
    source: str
    nodes: int
    edges: int


def _months(months: frozenset[int]) -> str:
    return ",".join(str(m) for m in sorted(months))


@transaction.atomic
def do_replace_network(imported: ImportedNetwork) -> ImportSummary:
    """Replace the whole network by ``imported`` (checked by ``read_network_file``).

    One transaction: readers see the old network or the new one, never a mix.
    """
    Edge.objects.all().delete()
    Node.objects.all().delete()
    net = imported.network
    Node.objects.bulk_create(
        (
            Node(
                node_id=n.node_id,
                name=n.name,
                lat=n.lat,
                lon=n.lon,
                kind=n.kind,
                role=imported.nodes.get(n.node_id, NodeExtra()).role,
                area_id=imported.nodes.get(n.node_id, NodeExtra()).area_id,
            )
            for n in net.nodes
        ),
        batch_size=BATCH,
    )
    pk_of = dict(Node.objects.values_list("node_id", "pk"))
    rows = []
    for e in net.edges:
        extra = imported.edges.get(e.edge_id)
        rows.append(
            Edge(
                edge_id=e.edge_id,
                name=extra.name if extra else "",
                project=extra.project if extra else "",
                from_node_id=pk_of[e.from_node],
                to_node_id=pk_of[e.to_node],
                mode=e.mode,
                length_km=e.length_km,
                speed_kmh=e.speed_kmh,
                minutes=e.minutes,
                oneway=e.oneway,
                closed_months=_months(e.closed_months),
                status=e.status,
                opens_on=e.opens_on,
            )
        )
    Edge.objects.bulk_create(rows, batch_size=BATCH)
    return ImportSummary(imported.source, len(net.nodes), len(net.edges))


def load_demo_network() -> ImportSummary:
    """The demo network of homecoming/network/demo/, linked to the demo's settlements."""
    return do_replace_network(read_network_file(DEMO_DIR))
