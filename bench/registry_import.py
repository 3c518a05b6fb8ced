"""Import speed of the registry: our write path against Django's bulk_create.

    .venv/bin/python bench/registry_import.py                       # 1M persons, both DBs
    .venv/bin/python bench/registry_import.py --persons 100000 --db sqlite
    .venv/bin/python bench/registry_import.py --full                # + read and validate CSV
    .venv/bin/python bench/registry_import.py --no-audit            # without audit triggers

Generates households and persons (seeded: the same rows every run), then in a fresh
database per engine:

- ours: ``homecoming.registry.services.do_write_import`` on the validated plan, the write
  phase of every import (PostgreSQL: COPY; SQLite: one prepared INSERT, executemany), in one
  transaction;
- baseline: ``Model.objects.bulk_create`` of the same rows, in one transaction, in the same
  process;
- with ``--full``, also the whole import of the same rows written as CSV files: read, check
  every row against the registry, write (``run_import``).

PostgreSQL is the server at --pg-url (a database ``homecoming_bench`` is dropped and made
anew); SQLite is a file in a temporary folder. Each engine runs in its own process (Django
is set up once per process).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = ["Məmmədov", "Əliyev", "Hüseynov", "Quliyev", "Həsənov", "İsmayılov", "Kərimov",
            "Rzayev", "Cəfərov", "Abbasov", "Bağırov", "Qasımov", "Nəsirov", "Vəliyev"]  # fmt: skip
MALE = ["Elvin", "Tural", "Rauf", "Kənan", "Orxan", "Zaur", "Rəşid", "Vüqar", "Anar", "Elçin"]
FEMALE = ["Aysel", "Nigar", "Səbinə", "Ləman", "Lalə", "Gülnar", "Sevinc", "Aynur", "Nərmin"]
SHELTER = ["tent", "dormitory", "sanatorium", "unfinished", "rented", "relatives"]
FIN_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def generate(n_persons: int, settlements: list[tuple[int, int, str]], seed: int) -> Any:
    """Households of 1 to 7 (about 4), each with a head; FINs for adults, unique."""
    from homecoming.registry.importers import NewHousehold, NewPerson, Plan

    rng = random.Random(seed)
    plan = Plan()
    fin_seen: set[str] = set()
    h = 0
    while len(plan.persons) < n_persons:
        h += 1
        origin_id, district_id, _code = settlements[h % len(settlements)]
        reg = f"B-{h:08d}"
        plan.households.append(
            NewHousehold(
                row=h + 1, reg_number=reg, origin_id=origin_id, district_id=district_id,
                destination_id=None, shelter_kind=rng.choice(SHELTER), shelter_address="",
                priority=rng.randint(0, 3), registered_on=date(1994, 1, 1) + timedelta(h % 9000),
                status="registered", consent=True, consent_on=date(2024, 1, 1), phone="",
                group_id=None, notes="",
            )
        )  # fmt: skip
        surname = rng.choice(SURNAMES)
        for i in range(min(rng.choice((1, 2, 3, 4, 4, 5, 5, 6, 7)), n_persons - len(plan.persons))):
            sex = "M" if rng.random() < 0.5 else "F"
            born = date(1930, 1, 1) + timedelta(rng.randrange(33_000))
            fin = None
            if born.year < 2008:
                while fin is None or fin in fin_seen:
                    fin = "".join(rng.choice(FIN_CHARS) for _ in range(7))
                fin_seen.add(fin)
            plan.persons.append(
                NewPerson(
                    row=len(plan.persons) + 2, household=reg,
                    surname=surname + ("a" if sex == "F" else ""),
                    given_name=rng.choice(MALE if sex == "M" else FEMALE),
                    patronymic="", sex=sex, birth_date=born, national_id=fin,
                    relationship="head" if i == 0 else "child", needs_step_free=rng.random() < 0.03,
                    other_needs="",
                )
            )  # fmt: skip
    return plan


def fresh_database(engine: str, pg_url: str, folder: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    import psycopg

    admin_url = pg_url.rsplit("/", 1)[0] + "/postgres"
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url


def empty_registry() -> None:
    from django.db import connection

    from homecoming.registry.models import Household, Person

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"TRUNCATE {Person._meta.db_table}, {Household._meta.db_table} RESTART IDENTITY CASCADE"
            )
        else:
            cursor.execute(f"DELETE FROM {Person._meta.db_table}")
            cursor.execute(f"DELETE FROM {Household._meta.db_table}")


def baseline(plan: Any) -> None:
    from django.db import transaction

    from homecoming.registry.models import Household, Person

    with transaction.atomic():
        fields = [
            "reg_number", "origin_id", "district_id", "destination_id", "shelter_kind",
            "shelter_address", "priority", "registered_on", "status", "consent", "consent_on",
            "phone", "group_id", "notes",
        ]  # fmt: skip
        Household.objects.bulk_create(
            [Household(**{f: getattr(h, f) for f in fields}) for h in plan.households],
            batch_size=5000,
        )
        pks = dict(Household.objects.values_list("reg_number", "pk"))
        Person.objects.bulk_create(
            [
                Person(
                    household_id=pks[p.household], surname=p.surname, given_name=p.given_name,
                    patronymic=p.patronymic, sex=p.sex, birth_date=p.birth_date,
                    national_id=p.national_id, relationship=p.relationship,
                    needs_step_free=p.needs_step_free, other_needs=p.other_needs,
                )
                for p in plan.persons
            ],
            batch_size=5000,
        )  # fmt: skip


def write_csv(plan: Any, codes: dict[int, str], folder: Path) -> tuple[Path, Path]:
    import csv

    h_path, p_path = folder / "households.csv", folder / "persons.csv"
    with h_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["reg_number", "origin", "shelter_kind", "registered_on", "consent", "priority"])
        for h in plan.households:
            w.writerow(
                [
                    h.reg_number,
                    codes[h.origin_id],
                    h.shelter_kind,
                    h.registered_on,
                    "yes",
                    h.priority,
                ]
            )
    with p_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["household", "surname", "given_name", "sex", "birth_date", "national_id",
                    "relationship", "needs_step_free"])  # fmt: skip
        for p in plan.persons:
            w.writerow([p.household, p.surname, p.given_name, p.sex, p.birth_date,
                        p.national_id or "", p.relationship, "yes" if p.needs_step_free else ""])  # fmt: skip
    return h_path, p_path


def run_one(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="hc-bench-"))
    os.environ["DATABASE_URL"] = fresh_database(engine, args.pg_url, folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["HOMECOMING_DATA_DIR"] = str(folder)
    import django

    django.setup()
    from django.core.management import call_command

    from homecoming.geography.models import Area, Level
    from homecoming.registry.importers import create_import, run_import
    from homecoming.registry.models import Person
    from homecoming.registry.services import do_write_import

    call_command("migrate", verbosity=0)
    if args.no_audit:
        from homecoming.core.audit import drop_triggers

        drop_triggers()  # to measure what the audit trail's triggers cost
    country = Area.objects.create(code="XX", level=Level.COUNTRY, name_az="X", name_en="X")
    settlements = []
    for d in range(1, 4):
        district = Area.objects.create(
            code=f"XX{d:02d}", level=Level.DISTRICT, parent=country, name_az="D", name_en="D"
        )
        for s in range(1, 11):
            a = Area.objects.create(
                code=f"XX{d:02d}{s:02d}", level=Level.SETTLEMENT, parent=district,
                name_az="S", name_en="S",
            )  # fmt: skip
            settlements.append((a.pk, district.pk, a.code))
    started = time.perf_counter()
    plan = generate(args.persons, settlements, args.seed)
    out: dict[str, Any] = {
        "engine": engine,
        "persons": len(plan.persons),
        "households": len(plan.households),
        "generate_s": round(time.perf_counter() - started, 1),
    }

    started = time.perf_counter()
    do_write_import(plan)
    out["ours_s"] = round(time.perf_counter() - started, 2)
    assert Person.objects.count() == len(plan.persons)
    if args.full:
        empty_registry()
        h_path, p_path = write_csv(plan, {pk: code for pk, _d, code in settlements}, folder)
        started = time.perf_counter()
        imp = run_import(create_import(h_path, p_path))
        out["full_s"] = round(time.perf_counter() - started, 2)
        assert imp.persons_created == len(plan.persons), imp.errors[:5]
    if not args.no_baseline:
        empty_registry()
        started = time.perf_counter()
        baseline(plan)
        out["baseline_s"] = round(time.perf_counter() - started, 2)
        assert Person.objects.count() == len(plan.persons)
    return out


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/homecoming_bench")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--full", action="store_true", help="also read and validate CSV files")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--no-audit", action="store_true", help="drop the audit trail's triggers (to compare)"
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args)))
        return 0
    engines = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    audit = "without the audit triggers" if args.no_audit else "with the audit triggers"
    print(f"registry import: {args.persons:,} persons, seed {args.seed}, {audit}; load {load()}")
    header = f"{'database':<10} {'persons':>9} {'households':>10} {'ours s':>7} {'rows/s':>9}"
    header += f" {'bulk_create s':>13} {'rows/s':>9} {'ratio':>6}"
    if args.full:
        header += f" {'full import s':>13} {'rows/s':>9}"
    print(header)
    for engine in engines:
        child = [sys.executable, __file__, "--one", engine, *sys.argv[1:]]
        done = subprocess.run(child, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{engine}: failed\n{done.stderr[-2000:]}")
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        n = r["persons"]
        line = f"{engine:<10} {n:>9,} {r['households']:>10,} {r['ours_s']:>7.1f} {n / r['ours_s']:>9,.0f}"
        if "baseline_s" in r:
            line += f" {r['baseline_s']:>13.1f} {n / r['baseline_s']:>9,.0f}"
            line += f" {r['baseline_s'] / r['ours_s']:>5.1f}x"
        else:
            line += f" {'-':>13} {'-':>9} {'-':>6}"
        if "full_s" in r:
            line += f" {r['full_s']:>13.1f} {n / r['full_s']:>9,.0f}"
        print(line, flush=True)
    print("rows/s counts persons (households are written too, in the same time).")
    print(f"load at the end: {load()} (1, 5, 15 min; the machine is shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
