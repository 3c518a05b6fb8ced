"""The travel-time engine's small exception hierarchy.

>>> err = InputError("edges.csv", 4, "speed_kmh", "not a number: 'fast'")
>>> str(err)
"edges.csv, line 4, column speed_kmh: not a number: 'fast'"
>>> isinstance(err, NetworkError)
True
"""

from __future__ import annotations


class NetworkError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(NetworkError):
    """A malformed input file: names the file, the line (1-based) and the column."""

    def __init__(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        where = [file]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}")


class UnknownNode(NetworkError):
    """A node id that the network does not have."""

    def __init__(self, node_id: str, context: str = "") -> None:
        self.node_id = node_id
        suffix = f" ({context})" if context else ""
        super().__init__(f"unknown node {node_id!r}{suffix}")


class UnknownEdge(NetworkError):
    """An edge id that the network does not have."""

    def __init__(self, edge_id: str) -> None:
        self.edge_id = edge_id
        super().__init__(f"unknown edge {edge_id!r}")


class DuplicateId(NetworkError):
    """Two nodes or two edges with the same id."""


class Unreachable(NetworkError):
    """No usable path joins the two nodes on the date asked."""

    def __init__(self, source: str, target: str) -> None:
        self.source = source
        self.target = target
        super().__init__(f"no usable route from {source!r} to {target!r}")
