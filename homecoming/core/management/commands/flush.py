"""Django's `flush`, allowed to empty the audit trail too.

The audit table refuses deletes (docs/audit.md); emptying the whole database is the one
maintenance operation that may remove its rows, and it stops recording while it runs. The
test suite's database resets (TransactionTestCase, live_server) go through this command.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from homecoming.core.audit import audit_maintenance


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with audit_maintenance():
            super().handle(**options)
