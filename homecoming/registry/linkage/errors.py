"""Exceptions raised by the linkage engine.

>>> str(InputError("missing column", file="p.csv", line=1, column="surname"))
'p.csv:1: column surname: missing column'
"""

from __future__ import annotations


class LinkageError(Exception):
    """Base class of every error the linkage engine raises on purpose."""


class InputError(LinkageError):
    """Bad input data, located by file, line (1-based, the header is line 1) and column."""

    def __init__(
        self, message: str, *, file: str = "", line: int | None = None, column: str = ""
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.column:
            where += f": column {self.column}"
        return f"{where}: {self.message}"
