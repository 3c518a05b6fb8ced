"""Exceptions of the allocation engine.

>>> issubclass(InputError, AllocationError) and issubclass(Infeasible, AllocationError)
True
>>> str(InputError("units.csv", 3, "rooms", "not an integer: 'x'", column_number=5))
"units.csv:3:5: column 'rooms': not an integer: 'x'"
"""

from __future__ import annotations


class AllocationError(Exception):
    """Base class of every error the engine raises on purpose."""


class InputError(AllocationError):
    """A bad input file or policy; names the file, line and column of the first problem."""

    def __init__(
        self,
        file: str,
        line: int | None,
        column: str | None,
        message: str,
        *,
        column_number: int | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.column_number = column_number
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column_number is not None:
                where += f":{self.column_number}"
        what = f"column '{self.column}': " if self.column else ""
        return f"{where}: {what}{self.message}"


class Infeasible(AllocationError):
    """The requested problem has no solution (for example an inconsistent policy)."""


class CheckFailed(AllocationError):
    """A result breaks a hard rule; it must never be saved or written."""

    def __init__(self, violations: list[object]) -> None:
        self.violations = violations
        first = violations[0] if violations else "no detail"
        super().__init__(f"{len(violations)} hard-rule violation(s), first: {first}")
