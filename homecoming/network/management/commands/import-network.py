"""`homecoming import-network DIR|FILE`: replace the network from CSV, GeoJSON or OSM PBF."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from homecoming.network.engine import InputError
from homecoming.network.importers import read_network_file
from homecoming.network.services import do_replace_network


class Command(BaseCommand):
    help = (
        "Replace the road network by the one in DIR (nodes.csv and edges.csv), a GeoJSON "
        "file or an OSM extract (.osm.pbf). The input is checked first: any error names "
        "file, line and column and nothing changes (exit status 2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="network directory or file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            imported = read_network_file(options["path"])
        except InputError as exc:
            self.stderr.write(f"import-network: error: {exc}")
            sys.exit(2)
        summary = do_replace_network(imported)
        self.stdout.write(
            f"Network replaced from {summary.source}: {summary.nodes:,} nodes, "
            f"{summary.edges:,} edges."
        )
