"""What agrees and what does not, in a few words, for a pair the model compared.

The model compares a pair field by field and puts each comparison at a *level* (its label,
as in :func:`.dedup._comparisons`: ``"name"`` at ``"given fuzzy"``, ``"dob"`` at ``"one
typo"``...). A reviewer wants the same thing in words, per field a person recognises:
surname, given name, father's name, birth date, sex, ID and origin, each of which agrees,
is close, differs or is missing on one side. :func:`verdicts` gives that per field and
:func:`describe` the short text of review.csv's ``agreements`` column.

>>> describe({"name": "given fuzzy", "father": "exact", "dob": "null", "sex": "exact",
...           "fin": "else", "origin": "exact"})
'agree: surname, father, sex, origin; close: given name; differ: ID; missing: birth date'
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["FIELDS", "VERDICT_ORDER", "describe", "verdicts"]

AGREE, CLOSE, SWAPPED, DIFFER, MISSING = "agree", "close", "swapped", "differ", "missing"
#: Groups in the order the text lists them: what speaks for the pair first.
VERDICT_ORDER = (AGREE, SWAPPED, CLOSE, DIFFER, MISSING)
#: Fields in the order the text names them inside a group.
FIELDS = ("surname", "given name", "father", "birth date", "sex", "ID", "origin")

_NAME: dict[str, tuple[str, str]] = {
    # level -> (surname, given name)
    "null": (MISSING, MISSING),
    "both exact": (AGREE, AGREE),
    "swapped": (SWAPPED, SWAPPED),
    "given fuzzy": (AGREE, CLOSE),
    "surname fuzzy": (CLOSE, AGREE),
    "both fuzzy": (CLOSE, CLOSE),
    "surname only": (AGREE, DIFFER),
    "given only": (DIFFER, AGREE),
    "else": (DIFFER, DIFFER),
}
#: Single-field comparisons: comparison -> (field, {level: verdict}); a level not listed
#: (a same year, a date ten days apart, one typo) is close.
_SINGLE: dict[str, tuple[str, dict[str, str]]] = {
    "father": ("father", {"exact": AGREE, "else": DIFFER, "null": MISSING}),
    "dob": ("birth date", {"exact": AGREE, "else": DIFFER, "null": MISSING}),
    "sex": ("sex", {"exact": AGREE, "else": DIFFER, "null": MISSING}),
    "fin": ("ID", {"exact": AGREE, "else": DIFFER, "null": MISSING}),
    "origin": ("origin", {"exact": AGREE, "else": DIFFER, "null": MISSING}),
}


def verdicts(levels: Mapping[str, str]) -> dict[str, str]:
    """Per field, agree / close / swapped / differ / missing, from the comparison levels.

    A comparison absent from ``levels`` makes its fields missing.

    >>> verdicts({"name": "swapped", "dob": "year only or day/month swapped"})["birth date"]
    'close'
    """
    surname, given = _NAME.get(levels.get("name", "null"), (DIFFER, DIFFER))
    out = {"surname": surname, "given name": given}
    for comparison, (field, table) in _SINGLE.items():
        out[field] = table.get(levels.get(comparison, "null"), CLOSE)
    return {f: out[f] for f in FIELDS}


def describe(levels: Mapping[str, str]) -> str:
    """The agreements text: ``agree: ...; close: ...; differ: ...; missing: ...``.

    >>> describe({"name": "swapped", "father": "else", "dob": "exact"})
    'agree: birth date; swapped: surname, given name; differ: father; missing: sex, ID, origin'
    """
    per_field = verdicts(levels)
    groups = []
    for verdict in VERDICT_ORDER:
        names = [f for f in FIELDS if per_field[f] == verdict]
        if names:
            groups.append(f"{verdict}: {', '.join(names)}")
    return "; ".join(groups)
