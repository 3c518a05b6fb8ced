"""The checks of one cell: words for yes, no and sex, dates, and :class:`Checker`, which
reports a row's problems with the messages users see.

Pure but for the translated messages and the choice labels of our models; no database.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from homecoming.registry.importers.readers import RowError
from homecoming.registry.linkage.names import FIN_ALPHABET
from homecoming.registry.models import HouseholdStatus, Sex

TRUE = frozenset({"1", "true", "yes", "y", "bəli", "beli", "hə", "he", "да", "д", "x", "✓"})
FALSE = frozenset({"0", "false", "no", "n", "xeyr", "yox", "нет", "н", ""})
YES_NO: dict[str, Any] = {**dict.fromkeys(FALSE, False), **dict.fromkeys(TRUE, True)}
SEX_WORDS = {
    "m": Sex.MALE, "male": Sex.MALE, "kişi": Sex.MALE, "kisi": Sex.MALE, "м": Sex.MALE,
    "муж": Sex.MALE, "мужской": Sex.MALE, "f": Sex.FEMALE, "female": Sex.FEMALE,
    "qadın": Sex.FEMALE, "qadin": Sex.FEMALE, "ж": Sex.FEMALE, "жен": Sex.FEMALE,
    "женский": Sex.FEMALE, "k": Sex.MALE, "q": Sex.FEMALE,
}  # fmt: skip
# A registration may bring a family in as registered, eligible or withdrawn; the later
# statuses come with a home and are set by the programme's own steps.
IMPORTABLE_STATUS = (
    HouseholdStatus.REGISTERED,
    HouseholdStatus.ELIGIBLE,
    HouseholdStatus.WITHDRAWN,
)
PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")
# A FIN already in its normal form (upper case, no spaces or dashes) and valid: the common
# case, checked without normalise_fin/is_valid_fin (which give the same answer for it).
FIN_NORMAL = re.compile("[" + "".join(sorted(FIN_ALPHABET)) + "]{7}")


@lru_cache(maxsize=100_000)  # dates repeat (birth dates, registration days): parse each once
def parse_date(text: str) -> dt.date:
    """A date written as ISO (or an ODK timestamp), ``dd.mm.yyyy`` or ``dd/mm/yyyy``.

    >>> parse_date("2001-05-04"), parse_date("04.05.2001"), parse_date("2026-05-02T10:01Z")
    (datetime.date(2001, 5, 4), datetime.date(2001, 5, 4), datetime.date(2026, 5, 2))
    """
    text = text.strip()
    if len(text) >= 10 and text[4] == "-":  # ISO, and ODK's timestamps: the fast path
        return dt.date.fromisoformat(text[:10])
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def choice_map(choices: Any) -> dict[str, str]:
    """A model's choices by lower-case value and English label."""
    with translation.override("en"):
        out = {str(label).lower(): value for value, label in choices.choices}
    out.update({value.lower(): value for value in choices.values})
    return out


def lookup(cache: dict[str, Any], table: dict[str, Any], raw: str) -> Any:
    """``table[raw.lower()]`` for a non-empty ``raw``, remembered by ``raw``; None if none."""
    value = cache.get(raw)
    if value is None and raw:
        value = table.get(raw.lower())
        if value is not None:
            cache[raw] = value
    return value


class Checker:
    """Collects errors for one row; each check returns a clean value or None.

    ``today`` is the importer's day (dates after it are refused), read once per import:
    ``localdate()`` costs more than a row.
    """

    def __init__(self, file: str, row: int, errors: list[RowError], today: dt.date) -> None:
        self.file, self.row, self.errors, self.today = file, row, errors, today
        self.ok = True

    def fail(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.file, self.row, column, message))

    def text(self, rec: dict[str, str], name: str, max_length: int, required: bool = False) -> str:
        value = rec.get(name, "").strip()
        if required and not value:
            self.fail(name, _("required"))
        elif len(value) > max_length:
            self.fail(name, _("longer than %(n)d characters") % {"n": max_length})
        return value

    def choice(
        self, rec: dict[str, str], name: str, table: dict[str, str], default: str = ""
    ) -> str:
        raw = rec.get(name, "").strip()
        if not raw:
            if not default:
                self.fail(name, _("required"))
            return default
        value = table.get(raw.lower())
        if value is None:
            allowed = ", ".join(sorted(set(table.values())))
            self.fail(
                name, _("%(value)r is not one of: %(allowed)s") % {"value": raw, "allowed": allowed}
            )
            return default
        return value

    def boolean(self, rec: dict[str, str], name: str) -> bool:
        raw = rec.get(name, "").strip().lower()
        if raw in TRUE:
            return True
        if raw not in FALSE:
            self.fail(name, _("%(value)r is not yes or no") % {"value": raw})
        return False

    def date(self, rec: dict[str, str], name: str, required: bool = False) -> dt.date | None:
        raw = rec.get(name, "").strip()
        if not raw:
            if required:
                self.fail(name, _("required"))
            return None
        try:
            value = parse_date(raw)
        except ValueError:
            self.fail(name, _("%(value)r is not a date (YYYY-MM-DD)") % {"value": raw})
            return None
        if value > self.today:
            self.fail(name, _("%(value)s is in the future") % {"value": value})
        elif value.year < 1900:
            self.fail(name, _("%(value)s is before 1900") % {"value": value})
        return value
