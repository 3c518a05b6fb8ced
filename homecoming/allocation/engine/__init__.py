"""Pure allocation engine of Homecoming: optimiser, lottery baseline, checker, CSV I/O.

No Django here: the app calls these functions through its adapter.

>>> hs = [Household("a", 3), Household("b", 3)]
>>> us = [Unit("u1", "S", "C", "B", rooms=2)]
>>> r = allocate(hs, us, seed=0)
>>> sum(a.unit_id is not None for a in r.assignments), check(hs, us, None, r.assignments)
(1, [])
"""

from .checker import check
from .csvio import (
    assignments_csv,
    read_households,
    read_residents,
    read_units,
    write_assignments,
)
from .errors import AllocationError, CheckFailed, Infeasible, InputError
from .lottery import lottery
from .model import (
    Assignment,
    Band,
    GroupHome,
    Household,
    Policy,
    Resident,
    Result,
    Unit,
    Violation,
    group_homes,
)
from .optimal import allocate

__all__ = [
    "AllocationError",
    "Assignment",
    "Band",
    "CheckFailed",
    "GroupHome",
    "Household",
    "Infeasible",
    "InputError",
    "Policy",
    "Resident",
    "Result",
    "Unit",
    "Violation",
    "allocate",
    "assignments_csv",
    "check",
    "group_homes",
    "lottery",
    "read_households",
    "read_residents",
    "read_units",
    "write_assignments",
]
