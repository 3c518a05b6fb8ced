"""Small text helpers that respect the active language."""

from __future__ import annotations

from django.utils.translation import get_language

#: Languages whose dotted and dotless i do not follow str.lower() (İ -> i, I -> ı).
TURKIC = frozenset({"az", "tr"})


def lowercase(text: str) -> str:
    """Lower-case a translated label to use inside a sentence, by the active language's rules.

    Python's str.lower() turns Azerbaijani "İ" into "i" plus a combining dot and "I" into "i"
    instead of "ı".

    >>> from django.utils import translation
    >>> with translation.override("az"):
    ...     lowercase("İşlənir"), lowercase("IŞIQ")
    ('işlənir', 'ışıq')
    >>> with translation.override("en"):
    ...     lowercase("In progress")
    'in progress'
    """
    if (get_language() or "")[:2] in TURKIC:
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()
