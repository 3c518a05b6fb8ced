"""Today's practice as a baseline: flat size by family size, address by seeded lottery.

Families are served in priority order (then registration date, then the lottery) exactly as
the optimiser admits them, so groups still move all together or not at all and stay in one
settlement (hard rules), but nothing keeps them in one building or complex. Inside each
settlement the draw goes household by household in that order: a random flat of the ideal
room count if one is left, otherwise a random flat within the band; a draw that would leave
a family already admitted without a possible flat is skipped (the exact capacity test), so
the lottery never breaks a hard rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from .core import admit, build_instance
from .explain import finish
from .model import Household, Policy, Resident, Result, Unit


def lottery(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy | None = None,
    *,
    seed: int,
    progress: Callable[[float, str], None] | None = None,
    residents: Sequence[Resident] = (),
) -> Result:
    """The lottery baseline (see the module docstring).

    >>> hs = [Household("a", 4), Household("b", 1)]
    >>> us = [Unit("u1", "S", "C", "B", rooms=3), Unit("u2", "S", "C", "B", rooms=1)]
    >>> [a.unit_id for a in lottery(hs, us, seed=7).assignments]
    ['u1', 'u2']
    """
    started = time.perf_counter()
    policy = policy or Policy.default()
    inst = build_instance(households, units, policy, residents)
    hall = inst.hall
    rng = np.random.default_rng(seed)
    adm = admit(inst, rng, progress)
    unit_of = np.full(len(households), -1, dtype=np.int64)
    n_s = len(inst.settlements)
    # remaining flats per (settlement, type), each list in a random order
    pools: dict[tuple[int, int], list[int]] = {}
    for j in range(len(units)):
        t = int(inst.utype[j])
        if t >= 0:
            pools.setdefault((int(inst.u_settlement[j]), t), []).append(j)
    for key in sorted(pools):
        flats = pools[key]
        pools[key] = [flats[int(i)] for i in rng.permutation(len(flats))]
    remaining_d = adm.demand_s.copy()
    remaining_s = inst.supply_s.copy()
    for step, bi in enumerate(adm.order):
        if progress is not None and step % 5000 == 0:
            progress(0.4 + 0.5 * step / max(1, len(adm.order)), "drawing flats")
        s = int(adm.settlement_of_block[bi])
        if s < 0:
            continue
        for i in inst.blocks[bi].members:
            k = int(inst.klass[i])
            remaining_d[s, k] -= 1
            chosen = -1
            for tier in (hall.ideal[k], hall.compat[k] & ~hall.ideal[k]):
                types = np.nonzero(tier & (remaining_s[s] > 0))[0]
                if len(types) == 0:
                    continue
                weights = remaining_s[s, types].astype(float)
                tried = rng.choice(types, size=len(types), replace=False, p=weights / weights.sum())
                for t in tried:
                    remaining_s[s, t] -= 1
                    if hall.fits(remaining_d[s], remaining_s[s]):
                        chosen = int(t)
                        break
                    remaining_s[s, t] += 1
                if chosen >= 0:
                    break
            if chosen < 0:  # pragma: no cover - admission guarantees a flat
                raise RuntimeError("lottery: admitted household without a flat")
            unit_of[i] = pools[(s, chosen)].pop()
    del n_s
    return finish(inst, unit_of, adm, method="lottery", seed=seed, started=started)
