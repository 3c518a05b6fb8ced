from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import QueryDict
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """`{{ counts|get:status }}`: a dictionary lookup by a variable key."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return getattr(mapping, str(key), "")


@register.filter
def percent(part: Any, whole: Any) -> float:
    try:
        return round(100.0 * float(part) / float(whole), 1) if whole else 0.0
    except (TypeError, ValueError):
        return 0.0


@register.filter
def metric(value: Any, key: str) -> str:
    """A run metric as people read it: shares and the gap as percentages ("62.1 %"),
    seconds with two decimals, counts with thousands separators; "—" when absent.

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     shown = metric(0.620767, "ideal_rooms_share"), metric(1234, "housed"), metric(None, "gap")
    >>> shown
    ('62.1 %', '1,234', '—')
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if key.endswith("_share") or key == "gap":
        return f"{number_format(round(100.0 * value, 1), 1, use_l10n=True)} %"  # it truncates
    if key == "seconds":
        return str(number_format(round(value, 2), 2, use_l10n=True))
    return str(intcomma(value))


@register.filter
def share_of(part: Any, whole: Any) -> str:
    """`{{ housed|share_of:households }}`: the part as a percentage of the whole ("62.1 %").

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     share_of(31, 50), share_of(1, 0), share_of(None, 3)
    ('62.0 %', '—', '—')
    """
    try:
        return metric(float(part) / float(whole), "_share")
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


@register.simple_tag(takes_context=True)
def query_with(context: Any, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.filter
def export_format(name: str) -> str:
    """`{% with fmt=imp.households_file|export_format %}`: csv or xlsx (core.access)."""
    from homecoming.core.access import file_export_format

    return file_export_format(name)


@register.filter
def may_export(user: Any, fmt: str) -> bool:
    """`{% if user|may_export:"pdf" %}`: show an export link only to who may use it."""
    from homecoming.accounts.privacy import may_export as allowed

    return allowed(user, fmt)


@register.filter(name="note_text")
def note_text_filter(note: str | None) -> str:
    """An audit note in the reader's language (core.audit.note_text)."""
    from homecoming.core.audit import note_text

    return note_text(note) if note else ""
