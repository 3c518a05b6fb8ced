"""The readiness item kinds a new installation starts with (editable in the admin)."""

from __future__ import annotations

from typing import Any

#: (code, English name, tracked for, order)
DEFAULT_KINDS: list[tuple[str, str, str, int]] = [
    ("electricity", "Electricity", "both", 10),
    ("water", "Water supply", "both", 20),
    ("gas", "Gas supply", "both", 30),
    ("sewerage", "Sewerage", "both", 40),
    ("road", "Road access", "both", 50),
    ("mine-clearance", "Mine clearance", "both", 60),
    ("school", "School", "settlement", 70),
    ("kindergarten", "Kindergarten", "settlement", 80),
    ("clinic", "Clinic or medical point", "settlement", 90),
    ("mobile", "Mobile network", "settlement", 100),
]


def ensure_default_kinds(item_kind_model: Any) -> None:
    """Create the default kinds that are missing (migration, demo and tests share this).

    Takes the model as an argument so the data migration can pass its historical model.
    """
    for code, name, scope, order in DEFAULT_KINDS:
        item_kind_model.objects.get_or_create(
            code=code, defaults={"name": name, "scope": scope, "order": order}
        )
