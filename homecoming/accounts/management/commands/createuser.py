"""Create (or update) a user with a role, and optionally a district."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from homecoming.accounts.models import Profile, Role

#: The districts' model, through the profile's relation: accounts sits below geography.
Area = Profile._meta.get_field("district").related_model


class Command(BaseCommand):
    help = "Create or update a user with a programme role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=list(Role.values), default=Role.ADMINISTRATOR)
        parser.add_argument("--district", help="district code (required for district officers)")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: asked on the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        district: Any = None
        if options["district"]:
            district = Area._default_manager.filter(
                code=options["district"], level="district"
            ).first()
            if district is None:
                raise CommandError(f"--district {options['district']}: no such district code")
        if role == Role.DISTRICT_OFFICER and district is None:
            raise CommandError("--district is required for a district officer")
        password = options["password"] or getpass.getpass("Password: ")
        if len(password) < 8:
            raise CommandError("the password must have at least 8 characters")
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=options["username"])
            user.email = options["email"]
            user.set_password(password)
            user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
            user.save()
            Profile.objects.update_or_create(
                user=user, defaults={"role": role, "district": district}
            )
        self.stdout.write(
            f"{'Created' if created else 'Updated'} {user.username} ({Role(role).label})."
        )
