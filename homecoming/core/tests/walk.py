"""Shared pieces of the permission walks (API and pages): personas, scopes, a fingerprint
of the data to prove a refused write changed nothing, and a record of what was checked."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction

from homecoming.testing import DistrictScene, Scene

#: persona -> the district they are limited to (None: they see the whole programme).
PERSONAS: dict[str, str | None] = {
    "ayten": None,
    "kamran": "kalbajar",
    "leyla": "lachin",
    "orkhan": None,
    "sabina": None,
}
OTHER = {"kalbajar": "lachin", "lachin": "kalbajar"}


@dataclass
class Actor:
    """A persona on one side of the scene: `own` is a district they may act in, `foreign`
    the other one, outside their scope when they are a district officer."""

    name: str
    user: Any
    own: DistrictScene
    foreign: DistrictScene
    limited: bool

    @property
    def profile(self) -> Any:
        return self.user.profile


def actors(scene: Scene) -> list[Actor]:
    found = []
    for name, home in PERSONAS.items():
        own = home or "kalbajar"
        found.append(
            Actor(
                name,
                getattr(scene.world, name),
                scene.of(own),
                scene.of(OTHER[own]),
                home is not None,
            )
        )
    return found


#: Records of reads (core.access): every read, refused or not, may write them.
READ_RECORDS = {"core.AccessEvent", "core.BulkReadAlert"}


def _watched() -> list[Any]:
    """The project's own models, and the users (permissions and content types are fixed);
    not the records of reads, which a refused export writes too."""
    return [
        m
        for m in apps.get_models()
        if (m.__module__.startswith("homecoming.") or m._meta.label == "auth.User")
        and m._meta.label not in READ_RECORDS
    ]


def fingerprint() -> str:
    """A digest of every row of the project's own tables."""
    digest = hashlib.sha256()
    for model in _watched():
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(model._meta.label.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run one case and undo all it wrote, so every case starts from the same scene."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class Tally:
    """What one walk test checked, and every leak or server error it found."""

    name: str
    checks: int = 0
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> None:
        self.checks += 1
        if not ok:
            self.problems.append(what)

    def finish(self) -> None:
        report = os.environ.get("SCOPE_WALK_REPORT")
        if report:
            with open(report, "a", encoding="utf-8") as out:
                out.write(
                    json.dumps(
                        {"test": self.name, "checks": self.checks, "problems": len(self.problems)}
                    )
                    + "\n"
                )
        assert not self.problems, "\n".join(self.problems)
