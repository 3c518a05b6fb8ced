"""Database guards of housing that span tables (installed with the lifecycle guards)."""

from __future__ import annotations

from homecoming.core.lifecycle import Guard, register_guard
from homecoming.registry.models import HouseholdStatus

#: A family in one of these states holds a home: the database refuses the status otherwise.
HOUSED = (
    HouseholdStatus.OFFERED.value,
    HouseholdStatus.ALLOCATED.value,
    HouseholdStatus.KEYS_HANDED.value,
    HouseholdStatus.MOVED_IN.value,
)
_IN = ", ".join(f"'{s}'" for s in HOUSED)
_MESSAGE = "'a family offered, allocated, given keys or moved in must hold a home'"
_NO_HOME = "NOT EXISTS (SELECT 1 FROM housing_unit u WHERE u.household_id = NEW.id)"

HOUSED_HAS_A_HOME = Guard(
    name="household_housed_has_home",
    tables=("registry_household", "housing_unit"),
    statements={
        "sqlite": (
            "DROP TRIGGER IF EXISTS household_housed_has_home",
            "CREATE TRIGGER household_housed_has_home BEFORE UPDATE OF status "
            f"ON registry_household WHEN NEW.status IN ({_IN}) AND {_NO_HOME} "
            f"BEGIN SELECT RAISE(ABORT, {_MESSAGE}); END",
        ),
        "postgresql": (
            "DROP TRIGGER IF EXISTS household_housed_has_home ON registry_household",
            "CREATE OR REPLACE FUNCTION household_housed_has_home() RETURNS trigger AS $$ "
            f"BEGIN IF NEW.status IN ({_IN}) AND {_NO_HOME} THEN "
            f"RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = {_MESSAGE}; "
            "END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER household_housed_has_home BEFORE UPDATE OF status "
            "ON registry_household FOR EACH ROW EXECUTE FUNCTION household_housed_has_home()",
        ),
    },
)

register_guard(HOUSED_HAS_A_HOME)
