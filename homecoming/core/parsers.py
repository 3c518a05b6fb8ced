"""The API's body parsers: DRF's, refusing NUL characters anywhere in the parsed data.

Kept apart from `core.api` because DRF imports its parser classes while it loads its views.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def find_nul(data: Any) -> bool:
    """Whether a NUL character hides anywhere in parsed request data (keys included)."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, Mapping):
        if hasattr(data, "lists"):  # a QueryDict: every value of every key
            return any(find_nul(k) or find_nul(v) for k, v in data.lists())
        return any(find_nul(k) or find_nul(v) for k, v in data.items())
    if isinstance(data, list | tuple):
        return any(find_nul(v) for v in data)
    return False


class RefuseNulMixin:
    """Refuse a body carrying NUL characters: PostgreSQL cannot store or even compare them,
    so they would otherwise surface as server errors in lookups and JSON fields."""

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)  # type: ignore[misc]
        if find_nul(getattr(parsed, "data", parsed)):
            raise exceptions.ParseError(_("Text may not contain the NUL character (0x00)."))
        return parsed


class JSONParser(RefuseNulMixin, parsers.JSONParser):
    pass


class FormParser(RefuseNulMixin, parsers.FormParser):
    pass


class MultiPartParser(RefuseNulMixin, parsers.MultiPartParser):
    pass
