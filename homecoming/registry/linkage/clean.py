"""Read a present-but-bad value as what it still says, instead of refusing the record.

Real registries hold empty name parts, impossible dates (1955-11-92) and partial ones
(1955-00-00, 1955), and identity numbers in the wrong form. Each is evidence or noise, not a
reason to throw the whole file away (issue 15). Every cleaner returns the value the engine
should see and the kind of fault (``None`` when the value was fine), so that the command can
count the faults and show where they are.

>>> clean_birth_date("1955-11-92")
('1955-11-92', 'birth_date: impossible date (kept as a noisy string)')
>>> clean_birth_date("1955-00-00")
('1955', 'birth_date: partial date (year kept)')
>>> clean_birth_date("19551129")
('1955-11-29', 'birth_date: other form (read as YYYY-MM-DD)')
>>> clean_birth_date("1961-03-05")
('1961-03-05', None)
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .names import is_valid_fin

__all__ = ["clean_birth_date", "clean_national_id", "clean_sex", "empty_name_kind"]

IMPOSSIBLE = "birth_date: impossible date (kept as a noisy string)"
PARTIAL = "birth_date: partial date (year kept)"
OTHER_FORM = "birth_date: other form (read as YYYY-MM-DD)"
UNREADABLE = "birth_date: unreadable (treated as missing)"
BAD_FIN = "national_id: not a FIN (treated as missing)"
BAD_SEX = "sex: not M or F (treated as missing)"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
# Day first, as Azerbaijani and Russian documents write it: 05.03.1961, 05/03/1961.
_DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$", re.ASCII)
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$", re.ASCII)
_ANY_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", re.ASCII)


def _classify(year: str, month: str, day: str) -> tuple[str, str | None]:
    """A date from its three parts: real, partial (a zero part) or impossible."""
    m, d = int(month), int(day)
    if m == 0 or d == 0:
        return year, PARTIAL
    text = f"{year}-{m:02d}-{d:02d}"
    try:
        date(int(year), m, d)
    except ValueError:
        return text, IMPOSSIBLE
    return text, None


@lru_cache(maxsize=1 << 16)
def clean_birth_date(text: str) -> tuple[str, str | None]:
    """The birth date the engine compares, and the kind of fault found in ``text``.

    A real date stays as it is. An impossible one (1955-11-92, 1961-02-30) is kept as a
    string: its year still blocks and compares, and a digit swap away from the true date
    (1955-11-29) still scores as a typo. A partial one keeps its year (``1955``). Other
    forms (19551129, 05.03.1961) are read; anything else is missing, keeping a year if
    one stands out.

    >>> clean_birth_date("1955")
    ('1955', 'birth_date: partial date (year kept)')
    >>> clean_birth_date("05.03.1961")
    ('1961-03-05', 'birth_date: other form (read as YYYY-MM-DD)')
    >>> clean_birth_date("unknown")
    ('', 'birth_date: unreadable (treated as missing)')
    >>> clean_birth_date("about 1950?")
    ('1950', 'birth_date: partial date (year kept)')
    """
    text = text.strip()
    if not text:
        return "", None
    if match := _ISO.match(text):
        value, kind = _classify(*match.groups())
        if kind is None and value != text:
            kind = OTHER_FORM
        return value, kind
    if match := _YEAR_MONTH.match(text):
        return match.group(1), PARTIAL
    for pattern, order in ((_COMPACT, (1, 2, 3)), (_DAY_FIRST, (3, 2, 1))):
        if match := pattern.match(text):
            value, kind = _classify(*(match.group(i) for i in order))
            return value, kind or OTHER_FORM
    years = _ANY_YEAR.findall(text)
    if len(years) == 1:
        return years[0], PARTIAL
    return "", UNREADABLE


def clean_national_id(text: str) -> tuple[str, str | None]:
    """A FİN in the wrong form is missing to the engine (it compares valid FİNs only).

    >>> clean_national_id("94FMODD")
    ('', 'national_id: not a FIN (treated as missing)')
    >>> clean_national_id("5gxm-4dz")
    ('5gxm-4dz', None)
    """
    text = text.strip()
    if not text or is_valid_fin(text):
        return text, None
    return "", BAD_FIN


def clean_sex(text: str) -> tuple[str, str | None]:
    """``M`` or ``F`` (any case); anything else is missing.

    >>> clean_sex(" f "), clean_sex("X")
    (('F', None), ('', 'sex: not M or F (treated as missing)'))
    """
    value = text.strip().upper()
    if value in ("", "M", "F"):
        return value, None
    return "", BAD_SEX


def empty_name_kind(column: str) -> str:
    """The fault of an empty surname or given name.

    >>> empty_name_kind("surname")
    'surname: empty (treated as missing)'
    """
    return f"{column}: empty (treated as missing)"
