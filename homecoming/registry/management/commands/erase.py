"""Erase one person's or one family's personal data on request (docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from homecoming.accounts.lifecycles import role_of
from homecoming.accounts.models import Role
from homecoming.core.audit import audit_channel
from homecoming.registry import erasure
from homecoming.registry.models import Household, Person


class Command(BaseCommand):
    help = (
        "Erase a person's (--person ID) or a family's (--household REG) personal data on "
        "request, as the administrator named by --by; the allocation history stays."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--person", type=int, help="the person's id")
        which.add_argument("--household", help="the family's registration number")
        parser.add_argument("--reason", required=True, help="why (kept in the erasure record)")
        parser.add_argument("--reference", required=True, help="the request's reference")
        parser.add_argument("--by", required=True, help="the administrator's user name")

    def handle(self, *args: Any, **options: Any) -> None:
        reason, reference = options["reason"].strip(), options["reference"].strip()
        if not reason or not reference:
            raise CommandError("give a reason and the request's reference")
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None or role_of(user) != Role.ADMINISTRATOR:
            raise CommandError(f"{options['by']!r} is not an administrator")
        try:
            with audit_channel("cli", actor=user):
                if options["person"] is not None:
                    person = Person.objects.filter(pk=options["person"]).first()
                    if person is None:
                        raise CommandError(f"no person {options['person']}")
                    done = erasure.do_erase_person(person, user, reason, reference)
                else:
                    household = Household.objects.filter(reg_number=options["household"]).first()
                    if household is None:
                        raise CommandError(f"no family {options['household']}")
                    done = erasure.do_erase_household(household, user, reason, reference)
        except erasure.AlreadyErased as exc:
            raise CommandError(str(exc)) from exc
        counts = ", ".join(f"{n} {what}" for what, n in done.counts.items())
        self.stdout.write(f"Erasure #{done.pk} of {done.label}: {counts}.")
