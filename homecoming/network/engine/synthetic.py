"""Seeded synthetic road networks for tests and benchmarks (no global randomness).

>>> net = grid_network(4, 5, seed=1)
>>> len(net.nodes), len(net.edges) > 20
(20, True)
>>> grid_network(4, 5, seed=1) == net
True
"""

from __future__ import annotations

import numpy as np

from .model import Edge, Network, Node


def grid_network(
    rows: int,
    cols: int,
    seed: int,
    *,
    keep: float = 0.93,
    arterial_every: int = 25,
    diagonal_share: float = 0.02,
    oneway_share: float = 0.0,
    spacing_km: float = 0.5,
) -> Network:
    """A planar, grid-like road network with varied speeds.

    Nodes sit on a jittered ``rows x cols`` grid; each street segment survives with
    probability ``keep``; every ``arterial_every``-th row and column is a fast arterial
    (70-90 km/h) that is never cut; local streets run at 20-50 km/h; a few diagonal
    links (``diagonal_share`` of the nodes) break the grid's regularity. Node ``r{i}c{j}``
    has kind ``settlement`` on the arterial crossings and ``junction`` elsewhere.
    """
    rng = np.random.default_rng(seed)
    lat0, lon0 = 40.0, 46.0
    dlat, dlon = spacing_km / 111.0, spacing_km / 85.0
    jitter = rng.uniform(-0.25, 0.25, size=(rows, cols, 2))
    nodes = []
    for i in range(rows):
        for j in range(cols):
            kind = (
                "settlement" if i % arterial_every == 0 and j % arterial_every == 0 else "junction"
            )
            nodes.append(
                Node(
                    f"r{i}c{j}",
                    f"r{i}c{j}",
                    lat0 + (i + jitter[i, j, 0]) * dlat,
                    lon0 + (j + jitter[i, j, 1]) * dlon,
                    kind,
                )
            )
    edges: list[Edge] = []
    idx = np.arange(rows * cols).reshape(rows, cols)
    horiz = (idx[:, :-1].ravel(), idx[:, 1:].ravel(), np.repeat(np.arange(rows), cols - 1))
    vert = (idx[:-1, :].ravel(), idx[1:, :].ravel(), np.tile(np.arange(cols), rows - 1))
    for tails, heads, line in (horiz, vert):
        count = len(tails)
        arterial = line % arterial_every == 0
        kept = arterial | (rng.random(count) < keep)
        length = spacing_km * rng.uniform(0.8, 1.5, count)
        speed = np.where(arterial, rng.uniform(70, 90, count), rng.uniform(20, 50, count))
        oneway = ~arterial & (rng.random(count) < oneway_share)
        for k in np.flatnonzero(kept):
            u, v = int(tails[k]), int(heads[k])
            edges.append(
                Edge(
                    f"e{len(edges)}",
                    nodes[u].node_id,
                    nodes[v].node_id,
                    "road",
                    round(float(length[k]), 3),
                    speed_kmh=round(float(speed[k]), 1),
                    oneway=bool(oneway[k]),
                )
            )
    diagonals = int(diagonal_share * rows * cols)
    if rows > 1 and cols > 1:
        for _ in range(diagonals):
            i, j = int(rng.integers(rows - 1)), int(rng.integers(cols - 1))
            u, v = int(idx[i, j]), int(idx[i + 1, j + 1])
            edges.append(
                Edge(
                    f"e{len(edges)}",
                    nodes[u].node_id,
                    nodes[v].node_id,
                    "road",
                    round(spacing_km * float(rng.uniform(1.2, 2.0)), 3),
                    speed_kmh=round(float(rng.uniform(20, 40)), 1),
                )
            )
    return Network(tuple(nodes), tuple(edges))
