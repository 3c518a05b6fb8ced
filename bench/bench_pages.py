"""Page speed with a national registry: 8 officers at once against a running server.

    .venv/bin/pip install -e '.[dev,bench]'                      # Locust and gunicorn
    .venv/bin/python bench/pages_data.py                         # once: 1M persons, 40,000 offers
    .venv/bin/python bench/bench_pages.py                        # about 3 min
    .venv/bin/python bench/bench_pages.py --code /path/to/other/checkout --port 8766
    .venv/bin/python bench/bench_pages.py --processes 1,2,4 --users 16 --think 0 --seconds 60

Serves the app as in production (gunicorn, `config.wsgi`, 4 workers, DEBUG off) on the
PostgreSQL database that `bench/pages_data.py` loaded (it is run first if the data is not
there), then runs Locust headless: 8 users, each signed in as an allocation officer (a
session for pages, a token for the API), requesting the families list, page ~4,000, a
filtered list, searches by registration number, identity number and surname (Azerbaijani
Latin, Cyrillic and ASCII spellings), a family's page, /handover/, and the API lists, with
0.5-1.5 s between requests. It prints p50/p95 per endpoint in milliseconds and the ratio of
each p95 to the baseline measured in the same run: a family's own API record (one row by
its unique key, the cheapest request there is).

`--code` serves another checkout of the project with the same database (e.g. the code
before a change, to compare; its migrations must match the database's).

`--processes 1,2,4` runs once per number of gunicorn worker processes (a new server each
time, the cache shared through CACHE_URL, `db` unless `--cache-url` says otherwise) and
prints each run's throughput and p50/p95 side by side (docs/scaling.md). `--think 0` sends
each user's next request as soon as the last is answered, to find the ceiling.
"""

from __future__ import annotations

import argparse
import csv
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from pages_data import DATA_DIR, PG_URL  # noqa: E402

BASELINE = "BASELINE: a family's API record"
#: Exact look-ups (target p95 50 ms); every other request is a list or a search (300 ms).
EXACT = {"find by registration number", "find by identity number", "/api/persons/?search=FIN"}


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def samples(pg_url: str) -> dict[str, list[str]]:
    """Registration and identity numbers to look up, the same every run."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        regs = [r[0] for r in conn.execute(
            "SELECT reg_number FROM registry_household WHERE id % 997 = 1 ORDER BY id LIMIT 200"
        )]  # fmt: skip
        fins = [r[0] for r in conn.execute(
            "SELECT national_id FROM registry_person WHERE national_id IS NOT NULL "
            "AND id % 4999 = 1 ORDER BY id LIMIT 200"
        )]  # fmt: skip
    return {"regs": regs, "fins": fins}


def renice_postgres(level: int) -> None:
    """PostgreSQL's processes (new backends inherit the postmaster's) at nice `level`."""
    postgres = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    for pid in postgres.stdout.split():
        subprocess.run(["renice", "-n", str(level), "-p", pid], capture_output=True)


def raise_priority(levels: int) -> None:
    """This process (so the server and Locust it starts) and PostgreSQL, levels nicer."""
    os.nice(-levels)
    renice_postgres(-levels)


def serve(
    code: Path, pg_url: str, port: int, processes: int = 4, cache_url: str = "db"
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HOMECOMING_DATA_DIR": str(DATA_DIR),
        "DEBUG": "false",
        # as in production (PRODUCTION=true would also demand HTTPS): a connection per worker
        "DB_CONN_MAX_AGE": "60",
        "SECRET_KEY": "bench-pages-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        # every worker sees the same throttles and counts, as production's must
        "CACHE_URL": cache_url,
        # one user's 8 sessions would pass the production limit of 1,200 API calls a minute
        "API_THROTTLE_USER": "100000/minute",
        "PYTHONPATH": str(code),
    }
    log = (DATA_DIR / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--chdir", str(code),
         "-w", str(processes), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env, cwd=code, start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def sign_in(port: int, password: str) -> str:
    """A signed-in session's cookie, through the sign-in page as a browser does."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    page = opener.open(f"{base}/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    form = {"username": "bench-officer", "password": password}
    form["csrfmiddlewaretoken"] = token.group(1) if token else ""
    request = urllib.request.Request(
        f"{base}/login/", urllib.parse.urlencode(form).encode(), headers={"Referer": f"{base}/"}
    )
    opener.open(request, timeout=60).read()
    return next(str(c.value) for c in jar if c.name == "sessionid")


def warm_up(port: int, session: str, token: str) -> None:
    """Each worker's first requests load code and compile templates: not what is measured."""
    base = f"http://127.0.0.1:{port}"
    for _ in range(8):
        for path, headers in (
            ("/households/", {"Cookie": f"sessionid={session}"}),
            ("/handover/", {"Cookie": f"sessionid={session}"}),
            ("/api/households/", {"Authorization": f"Token {token}"}),
        ):
            request = urllib.request.Request(base + path, headers=headers)
            urllib.request.urlopen(request, timeout=60).read()


def run_locust(
    port: int, users: int, seconds: int, data: dict[str, object]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Each endpoint's row of Locust's statistics, and the row of all requests together."""
    folder = Path(tempfile.mkdtemp(prefix="hc-bench-pages-"))
    env = {**os.environ, "BENCH_PAGES": json.dumps(data)}
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "pages_locust.py"),
         "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / "pages"),
         "--only-summary", "--loglevel", "WARNING"],
        env=env, check=False, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with (folder / "pages_stats.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return [row for row in rows if row["Name"] not in ("Aggregated", "sign-in")], total


#: The main pages whose p95 the side-by-side table shows, one column each.
MAIN = {
    "families list": "list",
    "surname search (3 scripts)": "search",
    "a family's page": "family",
    "/handover/ (40,000 offers)": "handover",
    "/api/households/": "api",
}


def side_by_side(runs: list[tuple[int, list[dict[str, str]], dict[str, str]]]) -> None:
    """Throughput and percentiles per number of processes, with the ratio to the first run."""
    first = float(runs[0][2]["Requests/s"])
    heads = "".join(f" {name + ' p95':>13}" for name in MAIN.values())
    print(
        f"{'processes':>9} {'requests':>8} {'req/s':>7} {'x':>5} {'fail':>4} {'p50':>5} {'p95':>5}{heads}"
    )
    for processes, rows, total in runs:
        by_name = {r["Name"]: r for r in rows}
        rate = float(total["Requests/s"])
        pages = "".join(
            f" {float(by_name[name]['95%']) if name in by_name else float('nan'):>13.0f}"
            for name in MAIN
        )
        print(
            f"{processes:>9} {total['Request Count']:>8} {rate:>7.1f} {rate / first:>4.2f}x "
            f"{total['Failure Count']:>4} {float(total['50%']):>5.0f} {float(total['95%']):>5.0f}"
            f"{pages}"
        )


def report(rows: list[dict[str, str]]) -> None:
    by_name = {r["Name"]: r for r in rows}
    base = float(by_name[BASELINE]["95%"]) if BASELINE in by_name else float("nan")
    print(
        f"{'endpoint':<40} {'n':>5} {'fail':>4} {'p50 ms':>7} {'p95 ms':>7} {'p95/base':>8}  target"
    )
    for r in sorted(rows, key=lambda r: (r["Name"] == BASELINE, r["Name"])):
        p95 = float(r["95%"])
        target = 50 if r["Name"] in EXACT else 300
        met = "-" if r["Name"] == BASELINE else f"{target} {'met' if p95 < target else 'NOT met'}"
        print(
            f"{r['Name'][:40]:<40} {r['Request Count']:>5} {r['Failure Count']:>4} "
            f"{float(r['50%']):>7.0f} {p95:>7.0f} {p95 / base:>7.1f}x  {met}"
        )


def measure(
    args: argparse.Namespace, processes: int, data: dict[str, Any]
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """One run against a new server of `processes` gunicorn workers."""
    server = serve(args.code, args.pg_url, args.port, processes, args.cache_url)
    try:
        # Signing in hashes a password on purpose slowly (about a second of CPU): done
        # before the measured minutes, one session per user, as officers start their day.
        # The sessions are rows in the database: the next server's workers take them too.
        if "sessions" not in data:
            data["sessions"] = [
                sign_in(args.port, str(data["password"])) for _ in range(args.users)
            ]
        warm_up(args.port, data["sessions"][0], str(data["bench-officer"]))
        return run_locust(args.port, args.users, args.seconds, data)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument(
        "--processes",
        default="4",
        help="gunicorn worker processes; a list (1,2,4) runs once each and compares them",
    )
    parser.add_argument("--cache-url", default="db", help="the servers' CACHE_URL")
    parser.add_argument(
        "--think",
        default="0.5,1.5",
        help="seconds between a user's requests, MIN,MAX or one number (0: flat out)",
    )
    parser.add_argument(
        "--priority",
        type=int,
        default=0,
        metavar="N",
        help="as root: run the server, Locust and PostgreSQL N nice levels above the rest of "
        "the machine (a shared machine's other work then stands in line behind them, as "
        "it would not be there on a dedicated server)",
    )
    return parser.parse_args()


def main() -> int:
    args = arguments()
    counts = [int(n) for n in args.processes.split(",")]
    think = [float(t) for t in args.think.split(",")]
    if args.priority:
        raise_priority(args.priority)
    info = DATA_DIR / "bench-pages.json"
    if not info.exists() and args.code == ROOT:
        data_script = ROOT / "bench" / "pages_data.py"
        subprocess.run([sys.executable, str(data_script), "--pg-url", args.pg_url], check=True)
    data: dict[str, Any] = {**json.loads(info.read_text()), **samples(args.pg_url)}
    data["think"] = (think[0], think[-1])
    print(
        f"page speed: {args.users} users, {args.seconds} s, think {args.think} s, processes "
        f"{args.processes}, cache {args.cache_url}, code {args.code}; load {load()}; "
        f"priority {args.priority} (nice {os.nice(0)}); {os.cpu_count()} cores"
    )
    runs = []
    try:
        for processes in counts:
            rows, total = measure(args, processes, data)
            print(f"\n{processes} processes (load {load()}):")
            report(rows)
            runs.append((processes, rows, total))
    finally:
        if args.priority:
            renice_postgres(0)
    if len(runs) > 1:
        print("\nall requests, and the main pages' p95 (ms), per number of processes:")
        side_by_side(runs)
    errors = (DATA_DIR / "server.log").read_text(errors="replace").count("Traceback")
    print(f"server errors logged (last server): {errors} (see {DATA_DIR / 'server.log'})")
    print(f"load at the end: {load()} (1, 5, 15 min; the machine is shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
