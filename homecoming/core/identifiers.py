"""The shape of identifiers people type or files bring: registration numbers and codes.

An identifier ends up in URLs (``/households/<reg_number>/``), file names and published CSV
files, so it is held to one pattern wherever it is created (forms, API, imports, the admin):
a letter or digit, then letters, digits, ``-``, ``_`` or ``.``; no ``/``, no spaces or control
characters, nothing a spreadsheet would read as a formula; at most the field's length.
Letters include Azerbaijani and Cyrillic ones.

>>> [identifier_problem(v) for v in ("0101-000123", "G00001", "KLB.C1", "Ağdam_2")]
[None, None, None, None]
>>> identifier_problem("0101/000123")
"'/' is not allowed (letters, digits, '-', '_' and '.' only)"
>>> identifier_problem("=HYPERLINK(1)")
'must start with a letter or a digit'
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

IDENTIFIER = re.compile(r"[^\W_][\w.\-]*")
_ALLOWED = re.compile(r"[\w.\-]")


def identifier_problem(value: str, max_length: int | None = None) -> str | None:
    """What is wrong with ``value`` as an identifier, in a sentence; None when it is fine."""
    if not value:
        return _("required")
    if max_length is not None and len(value) > max_length:
        return _("longer than %(n)d characters") % {"n": max_length}
    if IDENTIFIER.fullmatch(value):
        return None
    if not re.match(r"[^\W_]", value):
        return _("must start with a letter or a digit")
    bad = next(ch for ch in value if not _ALLOWED.fullmatch(ch))
    shown = repr(bad) if bad.isprintable() and not bad.isspace() else f"U+{ord(bad):04X}"
    return _("%(char)s is not allowed (letters, digits, '-', '_' and '.' only)") % {"char": shown}


@deconstructible
class IdentifierValidator:
    """Model and form validator: :func:`identifier_problem` as a ValidationError."""

    def __call__(self, value: str) -> None:
        problem = identifier_problem(str(value))
        if problem is not None:
            raise ValidationError(problem, code="identifier")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdentifierValidator)

    def __hash__(self) -> int:
        return hash(IdentifierValidator)


validate_identifier = IdentifierValidator()
