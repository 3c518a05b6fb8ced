"""Who may act besides the staff roles (accounts.models.Role): the system itself (jobs,
commands, expiry) and a family in its self-service pages. Plain names, importable from
anywhere (the lifecycle tables in core name them)."""

from __future__ import annotations

SYSTEM = "system"
#: A family acting for itself in the self-service pages (/family/).
FAMILY = "family"
