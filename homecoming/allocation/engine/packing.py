"""Kin groups into buildings, under the exact joint fit test of each complex (core.Joint).

A group bound to a building may use only that building's units; every other household
placed in the complex may use any unit of the complex. `BuildingPacking` keeps what the
joint test needs, so that "can this group be bound to this building?" is one vectorised test
over all candidate buildings:

- per building: the demand bound to it, its `excess` (bound demand minus units, per lattice
  point) and its `slack` F_b (the suffix maximum of the excess);
- per complex: the sum of its buildings' slacks and its `free` demand (planned into the
  complex, not bound to a building), both per lattice point.

A complex fits iff free + sum of slacks <= 0 at every lattice point. The settlement as a
whole must fit too, with every household not bound to a building (free in a complex, or in
no complex at all) anywhere in it: `unbound` + sum of every building's slack <= 0, kept as
`settlement_total`. The complexes' tests do not imply it when some groups fit no complex:
the matching would then have to split bound groups to house them.

A large settlement (a city of a hundred complexes) is cut into **districts**: runs of
consecutive complexes of at most `DISTRICT_BUILDINGS` buildings in all (`districts`). The
repair looks for a place, and for a new building for the group it moves aside, inside the
district only, so that its work grows with the size of a district, not of the city. A
settlement of up to `DISTRICT_BUILDINGS` buildings is one district (the repair is the same
as before districts existed).
"""

from __future__ import annotations

import numpy as np

from .core import Hall, Instance, IntArray, Joint

_EJECT_TRIES = 2000  # moves tried per group left without a building
DISTRICT_BUILDINGS = 240  # buildings of a district of a large settlement, at most


def districts(buildings_per_complex: IntArray, limit: int = DISTRICT_BUILDINGS) -> IntArray:
    """District of each complex: consecutive complexes, a new district whenever the next
    complex would take the current one over `limit` buildings (a complex larger than
    `limit` is a district of its own). All zeros when the whole settlement is within it.

    >>> districts(np.array([3, 3, 3, 5, 1]), limit=6).tolist()
    [0, 0, 1, 2, 2]
    >>> districts(np.array([3, 3]), limit=6).tolist()
    [0, 0]
    """
    out = np.zeros(len(buildings_per_complex), dtype=np.int64)
    district = size = 0
    for c, n in enumerate(buildings_per_complex.tolist()):
        if size > 0 and size + n > limit:
            district, size = district + 1, 0
        out[c] = district
        size += n
    return out


def best(ok: IntArray | np.ndarray, score: IntArray) -> int:
    """Index of the smallest score among ok entries (first on ties).

    >>> best(np.array([False, True, True]), np.array([0, 5, 5]))
    1
    """
    masked = np.where(ok, score, np.iinfo(np.int64).max)
    return int(np.argmin(masked))


def choose(hall: Hall, ok: np.ndarray, supply: IntArray, committed: IntArray, add: IntArray) -> int:
    """Among feasible pools, the one where most of `add` gets its ideal room count, then the
    tightest fit (best fit keeps large pools for large groups).

    `supply` (pools, types) and `committed` (pools, classes) describe the pools; `add`
    (classes) is the demand to place.
    """
    levels = supply.reshape(len(supply), -1, 2).sum(axis=2)
    free_ideal = np.maximum(levels - committed @ hall.ideal_level, 0)
    fit = np.minimum(free_ideal, add @ hall.ideal_level).sum(axis=1)
    residual = supply.sum(axis=1) - committed.sum(axis=1) - add.sum()
    score = -fit * (1 << 32) + residual
    return best(ok, score)


class BuildingPacking:
    """Which kin group is bound to which building of one settlement.

    `complex_of` (block -> local complex index) is the planner's dict, shared on purpose:
    binding a group moves it to its building's complex, unbinding puts it back.
    """

    def __init__(
        self,
        inst: Instance,
        joint: Joint,
        complexes: IntArray,
        complex_demand: IntArray,
        complex_of: dict[int, int],
        admission_rank: dict[int, int],
    ) -> None:
        self.inst = inst
        self.hall = inst.hall
        self.joint = joint
        self.complex_of = complex_of
        self.admission_rank = admission_rank
        # the settlement's buildings (global indices); below, every array is indexed by the
        # local position of a building in this list
        self.buildings: IntArray = np.nonzero(np.isin(inst.building_complex, complexes))[0]
        self.supply: IntArray = inst.supply_b[self.buildings]
        self.bound: IntArray = np.zeros((len(self.buildings), self.hall.n_classes), np.int64)
        local = {int(c): i for i, c in enumerate(complexes)}
        self.complex_at = np.array(
            [local[int(c)] for c in inst.building_complex[self.buildings].tolist()],
            dtype=np.int64,
        )
        self.excess: IntArray = joint.raw(self.bound, self.supply)
        self.slack: IntArray = joint.suffix_max(self.excess.copy())
        self.complex_slack: IntArray = np.zeros((len(complexes), joint.points), dtype=np.int64)
        np.add.at(self.complex_slack, self.complex_at, self.slack)
        self.free: IntArray = joint.demand(complex_demand)
        everyone = sum(
            (inst.blocks[bi].demand for bi in admission_rank),
            np.zeros(self.hall.n_classes, dtype=np.int64),
        )
        # unbound demand of the whole settlement plus every building's slack, per point
        self.settlement_total: IntArray = joint.demand(everyone) + self.slack.sum(axis=0)
        self.building_of: dict[int, int] = {}  # block -> global building index
        #: groups that a repair may move only inside their complex (followers at home)
        self.stay: set[int] = set()
        self.bound_at: dict[int, int] = {}  # block -> local building index
        self.everywhere = np.arange(len(self.buildings))
        per_complex = np.bincount(self.complex_at, minlength=len(complexes))
        self.district_at: IntArray = districts(per_complex, DISTRICT_BUILDINGS)[self.complex_at]

    def buildings_of_complex(self, c: int) -> IntArray:
        out: IntArray = np.nonzero(self.complex_at == c)[0]
        return out

    def fitting(self, bi: int, among: IntArray) -> tuple[np.ndarray, IntArray]:
        """Which buildings of `among` could take group bi with the complex still fitting,
        and each one's slack once the group is bound there (zeros where it could not)."""
        demand = self.inst.blocks[bi].demand
        # each building alone: a quick filter before the joint test
        ok = self.hall.fits(self.bound[among] + demand, self.supply[among])
        among = among[ok]
        joint_demand = self.joint.demand(demand)
        new_slack = self.joint.suffix_max(self.excess[among] + joint_demand)
        c_of = self.complex_at[among]
        own = self.complex_of.get(bi, -1)
        total = (
            self.free[c_of]
            - np.outer(c_of == own, joint_demand)
            + self.complex_slack[c_of]
            - self.slack[among]
            + new_slack
        )
        settlement = self.settlement_total - joint_demand - self.slack[among] + new_slack
        fine = (total <= 0).all(axis=1) & (settlement <= 0).all(axis=1)
        ok[ok] = fine
        full = np.zeros((len(ok), self.joint.points), dtype=np.int64)
        full[ok] = new_slack[fine]
        return ok, full

    def bind_best(self, bi: int, among: IntArray) -> bool:
        """Bind group bi to the best building of `among` that keeps its complex fitting."""
        ok, new_slack = self.fitting(bi, among)
        if not ok.any():
            return False
        j = choose(
            self.hall, ok, self.supply[among], self.bound[among], self.inst.blocks[bi].demand
        )
        self.bind(bi, int(among[j]), new_slack[j])
        return True

    def bind(self, bi: int, k: int, new_slack: IntArray) -> None:
        """Bind group bi to local building k, whose slack becomes `new_slack`."""
        demand = self.inst.blocks[bi].demand
        joint_demand = self.joint.demand(demand)
        c = int(self.complex_at[k])
        own = self.complex_of.get(bi, -1)
        if own >= 0:
            self.free[own] -= joint_demand
        self.complex_slack[c] += new_slack - self.slack[k]
        self.settlement_total += new_slack - self.slack[k] - joint_demand
        self.slack[k] = new_slack
        self.excess[k] += joint_demand
        self.bound[k] += demand
        self.building_of[bi] = int(self.buildings[k])
        self.bound_at[bi] = k
        self.complex_of[bi] = c

    def unbind(self, bi: int, back_to: int) -> None:
        """Undo bind: the group is free again in complex `back_to` (-1: in none)."""
        k = self.bound_at.pop(bi)
        del self.building_of[bi]
        demand = self.inst.blocks[bi].demand
        joint_demand = self.joint.demand(demand)
        c = int(self.complex_at[k])
        self.excess[k] -= joint_demand
        self.bound[k] -= demand
        new_slack = self.joint.suffix_max(self.excess[k : k + 1].copy())[0]
        self.complex_slack[c] += new_slack - self.slack[k]
        self.settlement_total += new_slack - self.slack[k] + joint_demand
        self.slack[k] = new_slack
        if back_to >= 0:
            self.free[back_to] += joint_demand
            self.complex_of[bi] = back_to
        else:
            del self.complex_of[bi]

    def district(self, k: int) -> IntArray:
        """The buildings of local building k's district."""
        out: IntArray = self.everywhere[self.district_at == self.district_at[k]]
        return out

    def repair(self, bi: int, stay: bool = False) -> bool:
        """Give group bi (left without a building) the place of a group that can move:
        buildings of its own complex first, then the rest of its district (of the
        settlement, for a group planned into no complex); only its own complex if `stay`."""
        own = self.complex_of.get(bi, -1)
        every = self.everywhere
        if own < 0:
            return self.move_aside(bi, every)
        mine = every[self.complex_at == own]
        if stay:
            return self.move_aside(bi, mine)
        near = self.district_at == self.district_at[mine[0]] if len(mine) else every >= 0
        return self.move_aside(bi, np.concatenate([mine, every[near & (self.complex_at != own)]]))

    def move_aside(self, bi: int, among: IntArray) -> bool:
        """Put group bi into a building of `among` by moving one group bound there to another
        building; False (and nothing changed) when no such single move is found within
        `_EJECT_TRIES` tries.

        A failed try leaves the packing as it was, so every try is tested at once up front
        (the same tries, in the same order, as one by one)."""
        bound_in: dict[int, list[int]] = {}
        for g, k in self.bound_at.items():
            bound_in.setdefault(k, []).append(g)
        moved: list[int] = []
        at: list[int] = []
        for k in among.tolist():
            for h in sorted(bound_in.get(k, []), key=self._smallest_first):
                moved.append(h)
                at.append(k)
            if len(moved) >= _EJECT_TRIES:
                break
        moved, at = moved[:_EJECT_TRIES], at[:_EJECT_TRIES]
        if not moved:
            return False
        ok, new_slack = self._slacks_if_swapped(bi, moved, np.array(at, dtype=np.int64))
        for p in np.nonzero(ok)[0].tolist():
            if self._swap(bi, moved[p], at[p], new_slack[p]):
                return True
        return False

    def _smallest_first(self, bi: int) -> tuple[int, int]:
        return len(self.inst.blocks[bi].members), self.admission_rank[bi]

    def _slacks_if_swapped(
        self, bi: int, moved: list[int], at: IntArray
    ) -> tuple[np.ndarray, IntArray]:
        """For each try p: could group bi be bound to building at[p] instead of group
        moved[p] (which becomes free in that building's complex) with the building and the
        complex still fitting; and the building's slack then."""
        blocks = self.inst.blocks
        h_demand = np.stack([blocks[h].demand for h in moved])
        bi_demand = blocks[bi].demand
        ok = self.hall.fits(self.bound[at] - h_demand + bi_demand, self.supply[at])
        c = self.complex_at[at]
        bi_joint = self.joint.demand(bi_demand)
        h_joint = self.joint.demand(h_demand)
        new_slack = self.joint.suffix_max(self.excess[at] - h_joint + bi_joint)
        own = self.complex_of.get(bi, -1)
        total = (
            self.free[c]
            + h_joint
            - np.outer(c == own, bi_joint)
            + self.complex_slack[c]
            - self.slack[at]
            + new_slack
        )
        settlement = self.settlement_total + h_joint - bi_joint - self.slack[at] + new_slack
        ok &= (total <= 0).all(axis=1) & (settlement <= 0).all(axis=1)
        return ok, new_slack

    def _swap(self, bi: int, h: int, k: int, new_slack: IntArray) -> bool:
        """Bind bi to building k in place of h, and h to another building of k's district;
        when h finds none, undo both and return False."""
        own = self.complex_of.get(bi, -1)
        self.unbind(h, int(self.complex_at[k]))
        self.bind(bi, k, new_slack)
        near = self.district(k)
        if h in self.stay:
            near = near[self.complex_at[near] == self.complex_at[k]]
        others = near[near != k]
        if self.bind_best(h, others):
            return True
        self.unbind(bi, own)
        _, h_slack = self.fitting(h, np.array([k]))
        self.bind(h, k, h_slack[0])
        return False
