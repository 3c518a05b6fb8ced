"""The `homecoming` command.

The file-based engines of docs/contracts run without Django (fast start, no database):
`allocate`, `travel`, `dedup`. Everything else is a Django management command
(`demo`, `serve`, `worker`, `migrate`, `createuser`, ...), as with manage.py.
"""

from __future__ import annotations

import importlib
import os
import sys

#: subcommand -> module with `main(argv) -> int`, loaded only when asked for.
ENGINE_COMMANDS = {
    "allocate": "homecoming.allocation.engine.cli",
    "travel": "homecoming.network.engine.cli",
    "dedup": "homecoming.registry.linkage.cli",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ENGINE_COMMANDS:
        module = importlib.import_module(ENGINE_COMMANDS[args[0]])
        # `travel` has sub-verbs (route, matrix, compare); the others take options only.
        rest = args[1:]
        code: int = module.main(rest)
        return code
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import getpass

    from django.core.management import execute_from_command_line

    from homecoming.core.audit import audit_context

    # Writes made by a command are recorded as the CLI's, under the operating-system account.
    with audit_context("cli", actor_label=getpass.getuser(), path=" ".join(["homecoming", *args])):
        execute_from_command_line(["homecoming", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
