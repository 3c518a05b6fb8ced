"""Run background jobs from the database queue (one process; start several on PostgreSQL).

Before it takes its first job, and then every half JOB_HEARTBEAT_TIMEOUT, the worker sweeps
what a killed process left behind (`homecoming.core.jobs.sweep_stale`) and queues the jobs of
derived results whose inputs changed (`refresh_stale`, e.g. the programme plan); and once every
RETENTION_PURGE_HOURS (at the first sweep after start-up, then daily) it runs the retention
purge (`homecoming.core.retention.purge_if_due`).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from homecoming.core import jobs, retention


def sweep_every(seconds: float, stopped: Callable[[float], bool]) -> None:
    """Sweep every `seconds` until `stopped(seconds)` (an Event's wait) says to stop.

    Runs in a thread beside the queue loop of django-tasks, which has no hook of its own.
    """
    last_purge = None
    try:
        while not stopped(seconds):
            jobs.sweep_and_report()
            jobs.refresh_stale()
            last_purge = retention.purge_if_due(last_purge)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Run queued background jobs (allocation runs, imports...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs.sweep_and_report(self.stdout)
        jobs.refresh_stale()
        stop = threading.Event()
        if not options["batch"]:
            threading.Thread(
                target=sweep_every,
                args=(jobs.heartbeat_timeout() / 2, stop.wait),
                name="sweep",
                daemon=True,
            ).start()
        extra = ["--batch"] if options["batch"] else []
        # django-tasks' worker takes over SIGINT, SIGTERM and SIGQUIT and never gives them back: a batch
        # run inside another program (a test, a script) must not leave them behind.
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        try:
            call_command(
                "db_worker", *extra, "--interval", str(options["interval"]), "--no-startup-delay"
            )
        finally:
            stop.set()
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
