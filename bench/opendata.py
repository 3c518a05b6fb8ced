"""How long the open-data exports take on 10 times the demo, against the demo itself, in one run.

    .venv/bin/python bench/opendata.py [--rounds 5] [--scales 1,10]

For each scale, a child process makes a fresh SQLite database in a temporary folder, loads
the demo and copies its districts (settlements, complexes, buildings, homes, families and
their members, readiness items and hazard areas) scale - 1 times under new codes, then asks
every export through Django's test client as the auditor (national scope): the aggregates
of each level as CSV, the complexes as XLSX and through the API, the GeoJSON, one row per
family as CSV, and the public statistics (page and API, the suppression recomputed: no
cache). It prints the median time, the answer's size and its query count; the parent prints
the two scales side by side with the ratio. The audit trail's triggers are dropped while the
copies are written (setting up the data is not what is measured).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

URLS = (
    "/opendata/district.csv",
    "/opendata/settlement.csv",
    "/opendata/complex.csv",
    "/opendata/complex.xlsx",
    "/opendata/places.geojson",
    "/opendata/household.csv",
    "/api/aggregates/?level=complex",
    "/api/public-statistics/",
    "/statistics/",
)


def _copy_rows(model: Any, rows: list[Any], change: Any) -> dict[int, int]:
    """Copies of `rows` (changed by `change(row)` in place), old id -> new id."""
    old = [r.pk for r in rows]
    for r in rows:
        r.pk = None
        change(r)
    made = model.objects.bulk_create(rows, batch_size=2000)
    return {o: m.pk for o, m in zip(old, made, strict=True)}


def multiply(copies: int) -> None:
    """Copy every district of the demo `copies` times, with all that hangs under it."""
    from homecoming.geography.models import Area, Level
    from homecoming.housing.models import Building, ResidentialComplex, Unit
    from homecoming.readiness.models import HazardArea, ReadinessItem
    from homecoming.registry.models import Household, Person

    demo: dict[str, list[Any]] = {
        "districts": list(Area.objects.filter(level=Level.DISTRICT)),
        "settlements": list(Area.objects.filter(level=Level.SETTLEMENT)),
        "complexes": list(ResidentialComplex.objects.all()),
        "buildings": list(Building.objects.all()),
        "households": list(Household.objects.all()),
        "persons": list(Person.objects.all()),
        "units": list(Unit.objects.all()),
        "items": list(ReadinessItem.objects.all()),
        "hazards": list(HazardArea.objects.all()),
    }
    for n in range(1, copies + 1):
        _one_copy(n, demo)


def _one_copy(n: int, demo: dict[str, list[Any]]) -> None:
    from homecoming.geography.models import Area
    from homecoming.housing.models import Building, ResidentialComplex, Unit
    from homecoming.readiness.models import HazardArea, ReadinessItem
    from homecoming.registry.models import Household, Person

    shift = 0.25 * n  # degrees north: each copy is a place of its own (hazards near its own)

    def moved(x: Any) -> None:
        if getattr(x, "lat", None) is not None:
            x.lat += shift

    def district_code(code: str) -> str:
        return f"{code[:4]}{int(code[4:6]) + 10 * n:02d}{code[6:]}"

    def copies(name: str) -> list[Any]:
        return [_fresh(row) for row in demo[name]]

    def district(a: Any) -> None:
        _rename(a, district_code)
        moved(a)

    def settlement(a: Any) -> None:
        district(a)
        a.parent_id = d[a.parent_id]

    def complex_(x: Any) -> None:
        x.code, x.settlement_id = f"{x.code}-{n}", s[x.settlement_id]
        moved(x)

    def building(x: Any) -> None:
        x.complex_id = c[x.complex_id]
        moved(x)

    def hazard(x: Any) -> None:
        x.code, x.district_id = f"{x.code}-{n}", d[x.district_id]
        x.geometry = _shifted(x.geometry, shift)
        x.min_lat, x.max_lat = x.min_lat + shift, x.max_lat + shift

    d = _copy_rows(Area, copies("districts"), district)
    s = _copy_rows(Area, copies("settlements"), settlement)
    c = _copy_rows(ResidentialComplex, copies("complexes"), complex_)
    b = _copy_rows(Building, copies("buildings"), building)
    h = _copy_rows(Household, copies("households"), lambda x: _household(x, n, s, d))
    _copy_rows(Person, copies("persons"), lambda x: _person(x, n, h))
    _copy_rows(Unit, copies("units"), lambda x: _unit(x, b, h))
    _copy_rows(ReadinessItem, copies("items"), lambda x: _item(x, s, c))
    _copy_rows(HazardArea, copies("hazards"), hazard)


def _shifted(geometry: dict[str, Any], shift: float) -> dict[str, Any]:
    def move(value: Any) -> Any:
        if value and isinstance(value[0], int | float):
            return [value[0], value[1] + shift]
        return [move(v) for v in value]

    return {**geometry, "coordinates": move(geometry["coordinates"])}


def _fresh(row: Any) -> Any:
    """A copy of a loaded row (bulk_create sets the new ids on the objects it is given)."""
    copy = type(row)()
    copy.__dict__.update({k: v for k, v in row.__dict__.items() if k != "_state"})
    copy.pk = row.pk
    return copy


def _rename(area: Any, district_code: Any) -> None:
    area.code = district_code(area.code)
    area.name_en = f"{area.name_en} {area.code}"
    area.name_az = f"{area.name_az} {area.code}"


def _household(x: Any, n: int, s: dict[int, int], d: dict[int, int]) -> None:
    x.reg_number = f"{x.reg_number}-{n}"
    x.origin_id, x.district_id = s[x.origin_id], d[x.district_id]
    x.destination_id = s[x.destination_id] if x.destination_id else None
    x.group_id = None


def _person(x: Any, n: int, h: dict[int, int]) -> None:
    x.household_id = h[x.household_id]
    x.national_id = f"{n}{x.national_id[1:]}" if x.national_id else None


def _unit(x: Any, b: dict[int, int], h: dict[int, int]) -> None:
    x.building_id = b[x.building_id]
    x.household_id = h[x.household_id] if x.household_id else None


def _item(x: Any, s: dict[int, int], c: dict[int, int]) -> None:
    x.settlement_id = s[x.settlement_id] if x.settlement_id else None
    x.complex_id = c[x.complex_id] if x.complex_id else None


def child(scale: int, rounds: int, profile: str = "") -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from homecoming.accounts.models import Profile, Role
    from homecoming.core import audit
    from homecoming.demo.scenario import do_load_demo
    from homecoming.registry.models import Household

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    do_load_demo()
    audit.drop_triggers()
    multiply(scale - 1)
    audit.install_triggers()
    loaded = time.perf_counter() - start
    from django.contrib.auth.models import User

    user = User.objects.create_user("bench-auditor", password="x")
    Profile.objects.create(user=user, role=Role.AUDITOR)
    client = Client()
    client.force_login(user)
    if profile:
        import cProfile
        import pstats

        client.get(profile)
        with cProfile.Profile() as prof:
            client.get(profile)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    found: dict[str, Any] = {
        "scale": scale,
        "families": Household.objects.count(),
        "load_s": round(loaded, 1),
        "urls": {},
    }
    for url in URLS:
        client.get(url)  # warm
        times = []
        for _round in range(rounds):
            began = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - began)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        found["urls"][url] = {
            "status": response.status_code,
            "ms": round(statistics.median(times) * 1000),
            "kib": round(len(response.content) / 1024, 1),
            "queries": len(queries),
        }
    return found


def in_child(script: str, scale: int, rounds: int, *extra: str) -> dict[str, Any]:
    """Run ``script --child SCALE --rounds N`` on a fresh SQLite database in a temporary
    folder (the demo bench scripts share this), and return the JSON of its last line."""
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "HOMECOMING_DATA_DIR": folder,
            "API_THROTTLE_ANON": "1000000/minute",
            "API_THROTTLE_USER": "1000000/minute",
            "OPENDATA_PUBLIC_CACHE_SECONDS": "0",
            "BULK_READ_ALERT_PER_HOUR": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        out = subprocess.run(
            [sys.executable, script, "--child", str(scale), "--rounds", str(rounds), *extra],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(scale: int, rounds: int, profile: str = "") -> dict[str, Any]:
    return in_child(__file__, scale, rounds, *(["--profile", profile] if profile else []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile", default="", help="a URL to profile (printed on stderr)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds, args.profile)))
        return
    scales = [int(s) for s in args.scales.split(",")]
    results = [run(scale, args.rounds, args.profile) for scale in scales]
    print(f"load average {os.getloadavg()[0]:.1f}; median of {args.rounds}")
    for r in results:
        print(f"scale {r['scale']}: {r['families']:,} families, data made in {r['load_s']} s")
    print_url_table(results, URLS, "URL", 34)


def print_url_table(results: list[dict[str, Any]], keys: Any, title: str, width: int) -> None:
    """Each URL's median ms, KiB and queries per scale side by side, and the last scale's
    time over the first's (the demo benches share this table)."""
    base = results[0]
    header = f"{title:{width}}" + "".join(
        f" {'x' + str(r['scale']) + ' ms':>9} {'KiB':>8} {'q':>3}" for r in results
    )
    print(header + (f" {'ratio':>6}" if len(results) > 1 else ""))
    for key in keys:
        line = f"{key:{width}}"
        for r in results:
            u = r["urls"][key]
            line += f" {u['ms']:>9} {u['kib']:>8} {u['queries']:>3}"
            if u["status"] != 200:
                line += f" ({u['status']})"
        if len(results) > 1:
            line += f" {results[-1]['urls'][key]['ms'] / max(base['urls'][key]['ms'], 1):>6.1f}"
        print(line)


if __name__ == "__main__":
    main()
