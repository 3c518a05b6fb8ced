"""Fixtures of the handover tests: a run built by hand, so who is housed and who waits on
the reserve list is known exactly (the engine has its own tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from homecoming.allocation.models import AllocationResult, AllocationRun, RunStatus, seed_commitment
from homecoming.core.testing import World
from homecoming.handover.messaging import MemoryBackend
from homecoming.housing.models import Unit
from homecoming.readiness.tests.helpers import record_ready
from homecoming.registry.models import Household


@pytest.fixture(autouse=True)
def _memory_outbox(settings: Any) -> Iterator[list[tuple[str, str, str]]]:
    settings.HANDOVER_MESSAGE_BACKEND = "homecoming.handover.messaging.MemoryBackend"
    MemoryBackend.sent.clear()
    yield MemoryBackend.sent
    MemoryBackend.sent.clear()


@pytest.fixture
def world(world: World) -> Any:
    """The personas' world with both cities' readiness recorded as done: the gate fails
    closed, and these tests are about what happens once homes are ready."""
    record_ready(world.kalbajar_city, world.lachin_city)
    return world


@pytest.fixture
def sent() -> list[tuple[str, str, str]]:
    return MemoryBackend.sent


def unit_no(world: World, number: str) -> Unit:
    return Unit.objects.get(building__complex=world.kalbajar_complex, number=number)


@pytest.fixture
def make_run(world: World) -> Callable[..., AllocationRun]:
    """A finished run of Kalbajar: `housed` as (reg, unit number), `reserve` as regs."""

    def build(
        housed: list[tuple[str, str]],
        reserve: tuple[str, ...] | list[str] = (),
        policy: str = "",
    ) -> AllocationRun:
        run = AllocationRun.objects.create(
            name="Draw test",
            method="lottery",
            district=world.kalbajar,
            seed=1,
            seed_commitment=seed_commitment(1),
            seed_revealed=True,
            status=RunStatus.DONE,
            policy=policy,
            created_by=world.orkhan,
        )
        run.complexes.set([world.kalbajar_complex])
        for reg, number in housed:
            AllocationResult.objects.create(
                run=run,
                household=Household.objects.get(reg_number=reg),
                unit=unit_no(world, number),
                reason=f"lottery among {unit_no(world, number).rooms}-room homes",
            )
        for rank, reg in enumerate(reserve, start=1):
            AllocationResult.objects.create(
                run=run,
                household=Household.objects.get(reg_number=reg),
                reason="no home left of your size",
                reserve_rank=rank,
            )
        return run

    return build
