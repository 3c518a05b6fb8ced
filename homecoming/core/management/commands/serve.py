"""Serve the web app and run a task worker beside it, until interrupted."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "homecoming.cli", "worker"])


class Command(BaseCommand):
    help = "Serve the app on ADDRPORT (default 127.0.0.1:8000) with a background-job worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--no-worker", action="store_true", help="do not start a worker")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None if options["no_worker"] else start_worker()
        try:
            call_command(
                "runserver", options["addrport"], use_reloader=False, insecure_serving=True
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
