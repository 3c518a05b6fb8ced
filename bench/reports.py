"""How long a monthly report takes on 10 times the demo, against the demo itself, in one run.

    .venv/bin/python bench/reports.py [--rounds 3] [--scales 1,10]

For each scale, a child process makes a fresh SQLite database in a temporary folder, loads
the demo and copies its districts scale - 1 times (bench/opendata.py's ``multiply``), then
times the report of the whole programme and of one district, of March 2026 (read from the
demo's kept snapshots) and computed now (``dashboard.figures.compute``): the figures
(``reports.figures.report_figures``), the PDF (``reports.pdf.render_pdf``), and the whole
job's work with the row kept (``reports.services.generate_report``), with the PDF's size and
pages. The parent prints the two scales side by side with the ratio.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _median_ms(work: Callable[[], Any], rounds: int) -> tuple[int, Any]:
    times, result = [], None
    for _round in range(rounds):
        began = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - began)
    return round(statistics.median(times) * 1000), result


def child(scale: int, rounds: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone, translation
    from opendata import multiply
    from pypdf import PdfReader

    from homecoming.core import audit
    from homecoming.demo.scenario import do_load_demo
    from homecoming.geography.models import Area
    from homecoming.registry.models import Household
    from homecoming.reports.figures import report_figures
    from homecoming.reports.pdf import render_pdf
    from homecoming.reports.services import generate_report, reader_for

    call_command("migrate", verbosity=0)
    do_load_demo()
    audit.drop_triggers()
    multiply(scale - 1)
    audit.install_triggers()
    # March 2026: a past month, read from the demo's kept snapshots (taken at 1x, before
    # the copies). The demo keeps today's snapshot too, so the live path (compute() at the
    # scale, as for a month none was kept of) is timed with next month's report: nothing
    # kept in it, its day is today.
    today = timezone.localdate()
    months = (("03", date(2026, 3, 1)), ("live", (today.replace(day=28) + timedelta(days=4))))
    found: dict[str, Any] = {"scale": scale, "families": Household.objects.count(), "scopes": {}}
    district = (
        Area.objects.districts()
        .filter(district_households__isnull=False)
        .order_by("code")
        .distinct()
        .first()
    )
    scopes = (("programme", None), ("district", district))
    for (name, area), (which, month) in ((s, m) for s in scopes for m in months):
        name = f"{name}/{which}"
        with translation.override("az"):
            reader = reader_for(area)
            figures_ms, figures = _median_ms(partial(report_figures, reader, month), rounds)
            pdf_ms, pdf = _median_ms(partial(render_pdf, figures, 1), rounds)
        job_ms, report = _median_ms(partial(generate_report, month, "az", area, "request"), rounds)
        found["scopes"][name] = {
            "figures_ms": figures_ms,
            "pdf_ms": pdf_ms,
            "job_ms": job_ms,
            "kib": round(report.size / 1024, 1),
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            "districts": len(figures.districts),
            "complexes": sum(d.complexes for d in figures.districts),
            "source": figures.source,
        }
    return found


def run(scale: int, rounds: int) -> dict[str, Any]:
    # The open-data bench's runner: a sibling module (the script's folder is on the path).
    from opendata import in_child

    found: dict[str, Any] = in_child(__file__, scale, rounds)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds)))
        return
    results = [run(int(s), args.rounds) for s in args.scales.split(",")]
    base = results[0]
    print(f"families: {', '.join(str(r['families']) for r in results)}")
    print(
        f"{'scope':<10} {'what':<11}"
        + "".join(f"{'x' + str(r['scale']):>10}" for r in results)
        + "   ratio"
    )
    for scope in base["scopes"]:
        sources = ", ".join(r["scopes"][scope]["source"] for r in results)
        print(f"{scope:<10} figures from: {sources}")
        for what in ("figures_ms", "pdf_ms", "job_ms", "kib", "pages", "complexes"):
            values = [r["scopes"][scope][what] for r in results]
            ratio = values[-1] / values[0] if values[0] else 0
            print(
                f"{scope:<10} {what:<11}" + "".join(f"{v:>10}" for v in values) + f"   {ratio:.1f}"
            )


if __name__ == "__main__":
    main()
