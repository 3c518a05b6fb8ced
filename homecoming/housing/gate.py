"""The readiness gate as housing pages and the API see it.

Readiness is built on housing (its items belong to complexes), so housing cannot import it;
the readiness app registers its gate here when Django starts (ReadinessConfig.ready). With
no gate registered every complex is "not ready" with the reason why: unknown is never ready.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _


class Verdict(Protocol):
    @property
    def ready(self) -> bool: ...

    @property
    def reasons(self) -> list[str]: ...


Assessor = Callable[[Iterable[Any]], dict[int, Any]]


@dataclass
class NotAssessed:
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return False


_assessor: list[Assessor] = []


def register(assessor: Assessor) -> None:
    """Install the gate (once; a second registration replaces the first)."""
    _assessor[:] = [assessor]


def assess(complexes: Iterable[Any]) -> dict[int, Verdict]:
    """complex id -> the gate's verdict, in the gate's fixed number of queries."""
    complexes = list(complexes)
    if _assessor:
        return _assessor[0](complexes)
    reason = _("Readiness is not assessed: the readiness app is not installed.")
    return {c.pk: NotAssessed([reason]) for c in complexes}
