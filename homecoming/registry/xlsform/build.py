"""Write the XLSForm from spec.py: `python -m homecoming.registry.xlsform.build [OUT]`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from homecoming.registry.xlsform.spec import (
    CHOICES,
    EXTRA_COLUMNS,
    LANGUAGES,
    SETTINGS,
    SURVEY,
)

FORM = Path(__file__).with_name("household_registration.xlsx")


def sheets() -> dict[str, list[list[str]]]:
    """The three sheets as rows of text, header first."""
    labels = [f"label::{lang}" for lang in LANGUAGES]
    messages = [f"constraint_message::{lang}" for lang in LANGUAGES]
    survey = [["type", "name", *labels, *EXTRA_COLUMNS, *messages]]
    for kind, name, label, extra in SURVEY:
        message = extra.get("constraint_message", ("", "", ""))
        survey.append(
            [
                kind,
                name,
                *label,
                *(str(extra.get(c, "")) for c in EXTRA_COLUMNS),
                *message,
            ]
        )
    choices = [["list_name", "name", *labels]]
    for list_name, items in CHOICES.items():
        for name, label in items:
            choices.append([list_name, name, *label])
    settings = [list(SETTINGS), list(SETTINGS.values())]
    return {"survey": survey, "choices": choices, "settings": settings}


def build(path: Path = FORM) -> Path:
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, rows in sheets().items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    # A fixed date keeps the file the same from one build to the next.
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    book.save(path)
    return path


if __name__ == "__main__":
    out = build(Path(sys.argv[1]) if len(sys.argv) > 1 else FORM)
    print(f"wrote {out}")
