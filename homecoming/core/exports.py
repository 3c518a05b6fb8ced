"""Cells we write into CSV and XLSX files: formula-like text is neutralised.

A spreadsheet opening a CSV runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return) as a formula: ``=HYPERLINK(...)`` in a family's
name would become a link, or worse, on an officer's machine. The OWASP rule: such a cell is
prefixed with a single quote, which spreadsheets show as text. Plain numbers (``-3``,
``-0.5``) are left alone: they are not formulas, and run files must keep negative floors.

Every writer of CSV or XLSX in the project goes through :func:`safe_cell`, :func:`safe_row`
or :func:`writer`. This module imports nothing from Django, so the pure engines may use it.

>>> safe_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> [safe_cell(v) for v in ("-2", "+1", "@sum", "Məmmədova", 7, None, "\\tx")]
['-2', "'+1", "'@sum", 'Məmmədova', 7, None, "'\\tx"]
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as data, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        if value[0] == "-" and _NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in row]


class SafeWriter:
    """``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):  # type: ignore[type-arg]
    """``csv.DictWriter`` whose every value passes through :func:`safe_cell`."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: safe_cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def writer(out: Any, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)
