"""The page-speed benchmark's data: a national registry in PostgreSQL, loaded once.

    .venv/bin/python bench/pages_data.py                       # about 3-5 min, once
    .venv/bin/python bench/pages_data.py --pg-url postgres://postgres@127.0.0.1:5432/hc_other

One million persons in 243,251 households (the registry-import benchmark's generator,
`bench/registry_import.py`, seed 6: 3 districts of 10 settlements), written by the import's
own write path; 40,000 offers on homes in 30 residential complexes (36,000 pending, 4,000
declined); an allocation officer (national) and a district officer, each with an API
token. The database (hc_speed_bench by default) is made if missing and migrated; when it
already holds the registry, only migrations run (so a new migration's backfill runs on a
million rows too). What the run needs (user names, password, tokens) is written to
`bench-pages.json` in the data folder.

Run by `bench/bench_pages.py` when the data is not there yet.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_URL = "postgres://postgres@127.0.0.1:5432/hc_speed_bench"
DATA_DIR = Path("/tmp/hc-speed-bench")
PASSWORD = "bench-pages-Secret-1"
PERSONS = 1_000_000
OFFERS = 40_000
DECLINED = 4_000
UNITS_PER_BUILDING = 40
BUILDINGS_PER_COMPLEX = 40


def ensure_database(pg_url: str) -> None:
    import psycopg

    admin_url = pg_url.rsplit("/", 1)[0] + "/postgres"
    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def settings_env(pg_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": pg_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HOMECOMING_DATA_DIR": str(DATA_DIR),
    }


def make_areas() -> list[tuple[int, int, str]]:
    from homecoming.geography.models import Area, Level

    country = Area.objects.create(code="XX", level=Level.COUNTRY, name_az="X", name_en="X")
    settlements = []
    for d in range(1, 4):
        district = Area.objects.create(
            code=f"XX{d:02d}", level=Level.DISTRICT, parent=country, name_az="D", name_en="D"
        )
        for s in range(1, 11):
            a = Area.objects.create(
                code=f"XX{d:02d}{s:02d}", level=Level.SETTLEMENT, parent=district,
                name_az=f"S{d}{s}", name_en=f"S{d}{s}",
            )  # fmt: skip
            settlements.append((a.pk, district.pk, a.code))
    return settlements


def load_registry() -> dict[str, Any]:
    from registry_import import generate

    from homecoming.registry.services import do_write_import

    settlements = make_areas()
    plan = generate(PERSONS, settlements, 6)
    # Every sixth family has been offered a home (the first 36,000 of them still pending).
    for h in plan.households[5::6][: OFFERS - DECLINED]:
        h.status = "offered"
    started = time.perf_counter()
    do_write_import(plan)
    return {"households": len(plan.households), "persons": len(plan.persons),
            "registry_s": round(time.perf_counter() - started, 1)}  # fmt: skip


def load_offers() -> None:
    from django.db import transaction
    from django.utils import timezone

    from homecoming.handover.models import Offer
    from homecoming.housing.models import Building, ResidentialComplex, Unit
    from homecoming.registry.models import Household

    offered = list(
        Household.objects.filter(status="offered").order_by("pk").values_list("pk", "origin_id")
    )
    declined = list(
        Household.objects.filter(status="registered").order_by("pk").values_list("pk", "origin_id")
    )[5::6][:DECLINED]
    families = [(pk, origin, True) for pk, origin in offered] + [
        (pk, origin, False) for pk, origin in declined
    ]
    now = timezone.now()
    with transaction.atomic():
        units: list[Unit] = []
        per_complex = UNITS_PER_BUILDING * BUILDINGS_PER_COMPLEX
        for c in range(0, len(families), per_complex):
            chunk = families[c : c + per_complex]
            complex_ = ResidentialComplex.objects.create(
                settlement_id=chunk[0][1], code=f"BC{c // per_complex:03d}",
                name=f"Bench complex {c // per_complex}",
            )  # fmt: skip
            buildings = Building.objects.bulk_create(
                Building(complex=complex_, code=f"B{b:02d}", kind="apartment", floors=5)
                for b in range(BUILDINGS_PER_COMPLEX)
            )
            for i, (pk, _origin, pending) in enumerate(chunk):
                units.append(
                    Unit(
                        building=buildings[i // UNITS_PER_BUILDING], number=f"{i % 40 + 1}",
                        rooms=1 + i % 4, floor=1 + i % 5, construction="planned",
                        status="offered" if pending else "free",
                        household_id=pk if pending else None,
                    )
                )  # fmt: skip
        Unit.objects.bulk_create(units, batch_size=5000)
        Offer.objects.bulk_create(
            (
                Offer(
                    household_id=pk,
                    unit=unit,
                    status="pending" if pending else "declined",
                    reason="bench",
                    deadline=now + timedelta(days=14),
                    decline_reason="" if pending else "too far",
                    answered_at=None if pending else now,
                    answered_by="" if pending else "bench",
                )
                for (pk, _origin, pending), unit in zip(families, units, strict=True)
            ),
            batch_size=5000,
        )


def grant_identity_numbers(username: str) -> None:
    """Let the national officer see (and so search by) identity numbers and phones, as an
    administrator may grant (accounts.privacy); idempotent."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.get(username=username)
    for kind in ("national_id", "phone"):
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="accounts", codename=f"see_{kind}")
        )


def make_users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from homecoming.accounts.models import Profile, Role
    from homecoming.accounts.services import do_issue_token
    from homecoming.geography.models import Area

    out: dict[str, Any] = {"password": PASSWORD}
    district = Area.objects.get(code="XX01")
    for name, role, area in (
        ("bench-officer", Role.ALLOCATION_OFFICER, None),
        ("bench-district", Role.DISTRICT_OFFICER, district),
    ):
        user = get_user_model().objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=user, role=role, district=area)
        _token, raw = do_issue_token(user, "bench")
        out[name] = raw
    grant_identity_numbers("bench-officer")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    args = parser.parse_args()
    ensure_database(args.pg_url)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update(settings_env(args.pg_url))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from homecoming.registry.models import Household

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    info = DATA_DIR / "bench-pages.json"
    if Household.objects.exists() and info.exists():
        print(f"registry already loaded: {Household.objects.count():,} households")
        return 0
    facts = load_registry()
    print(f"registry: {facts}", flush=True)
    started = time.perf_counter()
    load_offers()
    print(f"offers: {OFFERS:,} in {time.perf_counter() - started:.1f} s", flush=True)
    users = make_users()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    info.write_text(json.dumps({**users, **facts}))
    print(f"written {info}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
