"""Sections later stages add to a family's page (the allocation history...).

The registry is built below allocation and the handover, so it cannot import them; they
register a section here when Django starts (AppConfig.ready). A section is a template and a
function giving its context for one family, seen by one user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homecoming.registry.models import Household


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[Household, Any], dict[str, Any]]
    order: int = 100


@dataclass(frozen=True)
class Rendered:
    template: str
    context: dict[str, Any]


_SECTIONS: dict[str, Section] = {}


def register(name: str, section: Section) -> None:
    _SECTIONS[name] = section


def family_sections(household: Household, profile: Any) -> list[Rendered]:
    """Every registered section for `household`, in order, with its context."""
    ordered = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.template))
    return [Rendered(s.template, s.context(household, profile)) for s in ordered]
