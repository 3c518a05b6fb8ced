"""Create the database, load the Kalbajar demo, create the demo accounts and serve."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from homecoming.accounts.models import Profile, Role
from homecoming.accounts.services import do_give_demo_second_factor
from homecoming.accounts.signin import readable_key
from homecoming.demo.scenario import DEMO_SEED, do_load_demo
from homecoming.geography.models import Area

DEMO_ACCOUNTS = [
    ("admin", Role.ADMINISTRATOR, None),
    ("kalbajar", Role.DISTRICT_OFFICER, "AZ1101"),
    ("lachin", Role.DISTRICT_OFFICER, "AZ1102"),
    ("allocator", Role.ALLOCATION_OFFICER, None),
    ("auditor", Role.AUDITOR, None),
]


@transaction.atomic
def do_reset_demo_accounts(password: str) -> None:
    User = get_user_model()
    for username, role, district_code in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = role == Role.ADMINISTRATOR
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save()
        district = Area.objects.get(code=district_code) if district_code else None
        Profile.objects.update_or_create(user=user, defaults={"role": role, "district": district})


class Command(BaseCommand):
    help = "Migrate, load the Kalbajar demo (once), create demo accounts and serve."

    def print_demo_second_factor(self) -> None:
        """The admin account needs a second factor: give it one and print its secrets, which
        no real deployment would ever show (docs/security.md, "Staff sign-in")."""
        admin = get_user_model().objects.get(username="admin")
        device, codes = do_give_demo_second_factor(admin)
        self.stdout.write(
            self.style.WARNING("DEMO ONLY: admin's second factor (new on each start)")
        )
        self.stdout.write(f"  authenticator key:  {readable_key(device)}")
        self.stdout.write(f"  or this link:       {device.config_url}")
        self.stdout.write(f"  or a backup code:   {'  '.join(codes[:5])} (each works once)")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument("--no-serve", action="store_true", help="load and exit")
        parser.add_argument("--password", help="password for the demo accounts (default: random)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if Area.objects.exists():
            self.stdout.write("Demo data already present; keeping it.")
        else:
            started = time.perf_counter()
            counts = do_load_demo(options["seed"])
            took = time.perf_counter() - started
            summary = ", ".join(f"{v:,} {k}" for k, v in counts.items())
            self.stdout.write(f"Loaded the Kalbajar demo in {took:.1f} s: {summary}.")
        password = options["password"] or secrets.token_urlsafe(9)
        do_reset_demo_accounts(password)
        self.stdout.write(self.style.SUCCESS("Demo accounts (all with the same password):"))
        for username, role, district in DEMO_ACCOUNTS:
            where = f" of {district}" if district else ""
            self.stdout.write(f"  {username:<10} {Role(role).label}{where}")
        self.stdout.write(self.style.SUCCESS(f"  password:  {password}"))
        self.print_demo_second_factor()
        if not options["no_serve"]:
            addr = options["addrport"]
            self.stdout.write(f"Open http://{addr}/ and log in as admin.")
            call_command("serve", addr)
