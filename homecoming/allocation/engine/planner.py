"""The plan of one settlement, in named phases (see `SettlementPlanner.place`).

0. Followers (groups whose first families already live here, the residents) go first to
   the complexes of their residents, most residents first, as far as the exact test allows.
1. Villages to complexes: each origin village gets a home complex (`village_plan`, counts
   only), then its groups go there as far as the exact fit test allows; the rest of a
   village goes where most of it already is, else to the complex with most room.
2. Kin groups to buildings (`packing.BuildingPacking`): per complex, largest group first,
   under the exact joint test, a follower group to its residents' building if it fits
   there; then followers alone to their residents' building; groups left over try the whole
   settlement, then a repair that moves one bound group.
3. Matching (`matching.SlotMatching`): every household into a (building, type) slot.
4. Addresses: inside a slot, the concrete flats are drawn by the seeded lottery.

Every step is bounded by counts, never by the clock.
"""

from __future__ import annotations

import numpy as np

from .core import Instance, IntArray, Joint
from .matching import SlotMatching
from .packing import BuildingPacking, best, choose

_VILLAGE_MAX = 20000  # villages x complexes above which villages are placed one by one
_VILLAGE_PASSES = 20


class SettlementPlanner:
    """Places the admitted blocks of one settlement into flats.

    Complex-level state of phase 1, indexed by the local position of a complex in
    `complexes`: `complex_supply` (units per type), `complex_demand` (households per class
    planned there), `complex_capacity` and `complex_households` (counts); `complex_of` maps a
    block to its complex (later phases keep it current); `village_households` counts, per
    village, its households planned into each complex.
    """

    def __init__(self, inst: Instance, settlement: int, blocks: list[int], joint: Joint) -> None:
        self.inst = inst
        self.hall = inst.hall
        self.joint = joint
        self.settlement = settlement
        self.blocks = blocks  # in admission order
        self.admission_rank = {bi: p for p, bi in enumerate(blocks)}
        self.complexes: IntArray = np.nonzero(inst.complex_settlement == settlement)[0]
        n_c = len(self.complexes)
        self.complex_supply: IntArray = inst.supply_c[self.complexes]
        self.complex_demand: IntArray = np.zeros((n_c, self.hall.n_classes), dtype=np.int64)
        self.complex_capacity: IntArray = self.complex_supply.sum(axis=1)
        self.complex_households: IntArray = np.zeros(n_c, dtype=np.int64)
        self.complex_of: dict[int, int] = {}
        self.village_households: dict[str, IntArray] = {}
        self.village_complex: dict[str, int] = {}  # the complex holding most of each village
        self.followers = [bi for bi in blocks if inst.blocks[bi].home is not None]
        self._count_villages()

    def _count_villages(self) -> None:
        """The blocks of each origin village not placed yet, and their households."""
        self.village_blocks: dict[str | None, list[int]] = {}
        for bi in self.blocks:
            if bi not in self.complex_of:
                self.village_blocks.setdefault(self.inst.blocks[bi].origin, []).append(bi)
        self.village_size = {
            o: sum(len(self.inst.blocks[b].members) for b in bl)
            for o, bl in self.village_blocks.items()
        }
        # largest village first, then by name
        self.villages = sorted(
            (o for o in self.village_blocks if o is not None),
            key=lambda o: (-self.village_size[o], o),
        )

    def place(
        self,
        rng: np.random.Generator,
        slots: dict[tuple[int, int], list[int]],
        unit_of: IntArray,
    ) -> None:
        """Run the phases; writes the unit of each household placed into `unit_of`.

        `slots` lists the units of each (building, type), `rng` draws the addresses.
        """
        self.plan_villages()
        packing = self.pack_groups()
        households_at = self.match(packing)
        self.draw_addresses(households_at, rng, slots, unit_of)

    # phase 1: villages to complexes

    def plan_villages(self) -> None:
        """Every block into a complex of the settlement (where one still fits): villages by
        the village plan when the settlement has several complexes, else each village
        whole where it suits best; then households of no known village. Followers first."""
        if self.followers:
            self._place_followers()
            self._count_villages()
        home = (
            village_plan(
                [self.village_size[o] for o in self.villages],
                self.complex_capacity - self.complex_households,
            )
            if len(self.complexes) > 1
            else None
        )
        if home is not None:
            self._send_villages_home(home)
        for village in self.villages:
            groups = self._largest_first(self.village_blocks[village])
            if home is None and self._place_whole_village(groups):
                continue
            self._place_village_groups(village, groups)
        self._place_without_village()
        self.village_complex = {o: int(np.argmax(v)) for o, v in self.village_households.items()}

    def _place_followers(self) -> None:
        """Each follower into the first complex of its residents (most residents first)
        that still fits it; the others are placed like everyone else."""
        local = {self.inst.complexes[int(c)][1]: i for i, c in enumerate(self.complexes.tolist())}
        for bi in self._largest_first(self.followers):
            home = self.inst.blocks[bi].home
            assert home is not None  # followers have a home
            for name in home.complexes:
                c = local.get(name)
                if c is None:
                    continue
                demand = self.complex_demand[c] + self.inst.blocks[bi].demand
                if self.hall.fits(demand, self.complex_supply[c]):
                    self._put(bi, c)
                    break

    def _largest_first(self, blocks: list[int]) -> list[int]:
        return sorted(
            blocks, key=lambda bi: (-len(self.inst.blocks[bi].members), self.admission_rank[bi])
        )

    def _put(self, bi: int, c: int) -> None:
        b = self.inst.blocks[bi]
        self.complex_of[bi] = c
        self.complex_demand[c] += b.demand
        self.complex_households[c] += len(b.members)
        if b.origin is not None:
            here = self.village_households.setdefault(
                b.origin, np.zeros(len(self.complexes), dtype=np.int64)
            )
            here[c] += len(b.members)

    def _send_villages_home(self, home: list[int]) -> None:
        """Each village's groups into its planned complex, as far as they fit there."""
        for village, c in zip(self.villages, home, strict=True):
            for bi in self._largest_first(self.village_blocks[village]):
                demand = self.complex_demand[c] + self.inst.blocks[bi].demand
                if self.hall.fits(demand, self.complex_supply[c]):
                    self._put(bi, c)

    def _place_whole_village(self, groups: list[int]) -> bool:
        """All of a village's groups into the one complex that suits them best, if any fits."""
        whole = sum(
            (self.inst.blocks[bi].demand for bi in groups),
            np.zeros(self.hall.n_classes, np.int64),
        )
        ok = self.hall.fits(self.complex_demand + whole, self.complex_supply)
        if not ok.any():
            return False
        c = choose(self.hall, ok, self.complex_supply, self.complex_demand, whole)
        for bi in groups:
            self._put(bi, c)
        return True

    def _place_village_groups(self, village: str, groups: list[int]) -> None:
        """Each group not placed yet: where most of its village already is, else where there
        is most room."""
        for bi in groups:
            if bi in self.complex_of:
                continue
            ok = self.hall.fits(
                self.complex_demand + self.inst.blocks[bi].demand, self.complex_supply
            )
            if not ok.any():
                continue
            here = self.village_households.get(village)
            if here is not None and (ok & (here > 0)).any():
                c = best(ok & (here > 0), -here)
            else:
                c = best(ok, -(self.complex_capacity - self.complex_households))
            self._put(bi, c)

    def _place_without_village(self) -> None:
        """Blocks of no known village, largest first, where there is most room."""
        for bi in self._largest_first(self.village_blocks.get(None, [])):
            ok = self.hall.fits(
                self.complex_demand + self.inst.blocks[bi].demand, self.complex_supply
            )
            if ok.any():
                self._put(bi, best(ok, -(self.complex_capacity - self.complex_households)))

    # phase 2: kin groups to buildings

    def pack_groups(self) -> BuildingPacking:
        """Kin groups to buildings, per complex; then, for groups that fit no building of
        their complex, any building of the settlement (a group together outweighs its
        village); then the repair. Every step keeps each complex feasible as a whole."""
        blocks = self.inst.blocks
        packing = BuildingPacking(
            self.inst,
            self.joint,
            self.complexes,
            self.complex_demand,
            self.complex_of,
            self.admission_rank,
        )
        local = {
            self.inst.buildings[int(g)][1:]: i for i, g in enumerate(packing.buildings.tolist())
        }
        packing.stay = {bi for bi in self.followers if self._at_residents(bi)}
        left: list[int] = []
        # the groups of each complex, bucketed once (not one pass over the city per complex)
        groups_in: dict[int, list[int]] = {}
        for bi in self.blocks:
            if blocks[bi].multi and bi in self.complex_of:
                groups_in.setdefault(self.complex_of[bi], []).append(bi)
        for c in range(len(self.complexes)):
            in_complex = packing.buildings_of_complex(c)
            for bi in self._largest_first(groups_in.get(c, [])):
                if not self._bind_to_residents(packing, bi, local) and not packing.bind_best(
                    bi, in_complex
                ):
                    left.append(bi)
                # a follower bound to its residents' building in a complex still to come is
                # met there again, as when each complex looked at every group
                moved_to = self.complex_of.get(bi, c)
                if moved_to > c:
                    groups_in.setdefault(moved_to, []).append(bi)
        # followers alone: their residents' building where it still has their flat
        for bi in self._largest_first([bi for bi in self.followers if not blocks[bi].multi]):
            self._bind_to_residents(packing, bi, local)
        unplanned = [bi for bi in self.blocks if blocks[bi].multi and bi not in self.complex_of]
        rest = self._largest_first(left + unplanned)
        for bi in rest:
            if not self._bind_to_residents(packing, bi, local) and not self._at_residents(bi):
                packing.bind_best(bi, packing.everywhere)
        for bi in rest:
            if bi not in packing.building_of:
                packing.repair(bi, stay=self._at_residents(bi))
        return packing

    def _at_residents(self, bi: int) -> bool:
        """Whether follower group bi is planned into a complex of its residents: it stays
        there, split over buildings if need be, rather than go together to another
        complex (objective 2 ranks the residents' complex first)."""
        home = self.inst.blocks[bi].home
        c = self.complex_of.get(bi)
        if home is None or c is None:
            return False
        return self.inst.complexes[int(self.complexes[c])][1] in home.complexes

    def _bind_to_residents(
        self, packing: BuildingPacking, bi: int, local: dict[tuple[str, str], int]
    ) -> bool:
        """Bind a follower to the first building of its residents that takes it with its
        complex still fitting (the largest groups come first, as for every group)."""
        home = self.inst.blocks[bi].home
        if home is None:
            return False
        for place in home.buildings:
            at = local.get(place)
            if at is not None and packing.bind_best(bi, np.array([at], dtype=np.int64)):
                return True
        return False

    # phase 3: the matching

    def match(self, packing: BuildingPacking) -> dict[tuple[int, int], list[int]]:
        """Households per (building, type) slot, from the settlement's min-cost flow."""
        origin_weight = self.inst.policy.weights()["origin"]
        matching = SlotMatching(self.inst, self.settlement, self.complexes, packing.buildings)
        for bi in self.blocks:
            b = self.inst.blocks[bi]
            c = self.complex_of.get(bi, -1)
            at_home = b.origin is not None and self.village_complex.get(b.origin) == c
            matching.add_group(bi, c, packing.building_of.get(bi), origin_weight if at_home else 0)
        at_node = matching.solve()
        return {
            slot: at_node[node] for slot, node in matching.slot_node.items() if at_node.get(node)
        }

    # phase 4: addresses

    @staticmethod
    def draw_addresses(
        households_at: dict[tuple[int, int], list[int]],
        rng: np.random.Generator,
        slots: dict[tuple[int, int], list[int]],
        unit_of: IntArray,
    ) -> None:
        """Inside each (building, type) slot, in slot order, the flats by seeded lottery."""
        for slot, households in households_at.items():
            flats = slots[slot]
            drawn = rng.permutation(len(flats))
            for i, d in zip(households, drawn, strict=False):
                unit_of[i] = flats[int(d)]


def village_plan(sizes: list[int], caps: IntArray) -> list[int] | None:
    """Home complex of each village, keeping as many families as possible in theirs.

    Counts only (the exact room test follows when groups are placed): with home(v) the
    complex of village v, at most min(units, families) of the villages sent to a complex can
    live there, so the plan maximises sum over complexes of min(units, families sent).
    Best-fit decreasing, then moves and swaps of villages while they gain (deterministic,
    bounded by `_VILLAGE_PASSES` sweeps). None when there are too many villages x complexes.

    >>> village_plan([3, 3, 2, 2, 2, 2], np.array([7, 7]))
    [1, 0, 0, 1, 1, 0]
    """
    n_v, n_c = len(sizes), len(caps)
    if n_v == 0 or n_v * n_c > _VILLAGE_MAX:
        return None
    cap = np.asarray(caps, dtype=np.int64)
    size = np.asarray(sizes, dtype=np.int64)
    load = np.zeros(n_c, dtype=np.int64)
    home = np.zeros(n_v, dtype=np.int64)
    for v in sorted(range(n_v), key=lambda v: (-sizes[v], v)):
        free = cap - load
        fits = free >= size[v]
        c = (
            int(np.argmin(np.where(fits, free, np.iinfo(np.int64).max)))
            if fits.any()
            else int(np.argmax(free))
        )
        home[v] = c
        load[c] += size[v]
    for _ in range(_VILLAGE_PASSES):
        improved = False
        for v in range(n_v):
            if _move_village(v, home, load, cap, size) or _swap_villages(v, home, load, cap, size):
                improved = True
        if not improved:
            break
    return [int(c) for c in home]


def _move_village(v: int, home: IntArray, load: IntArray, cap: IntArray, size: IntArray) -> bool:
    """Move village v to the complex where that gains most families at home, if any gains."""
    a, n = int(home[v]), int(size[v])
    gain = np.minimum(cap, load + n) - np.minimum(cap, load)
    loss = min(cap[a], load[a]) - min(cap[a], load[a] - n)
    gain[a] = 0
    c = int(np.argmax(gain))
    if gain[c] - loss > 0:
        home[v], load[a], load[c] = c, load[a] - n, load[c] + n
        return True
    return False


def _swap_villages(v: int, home: IntArray, load: IntArray, cap: IntArray, size: IntArray) -> bool:
    """Swap village v with the village w of another complex that gains most, if any gains."""
    a, n = int(home[v]), int(size[v])
    d = n - size  # a loses d, home[w] gains d
    b = home
    new_a = load[a] - d
    new_b = load[b] + d
    delta = (
        np.minimum(cap[a], new_a)
        + np.minimum(cap[b], new_b)
        - min(cap[a], load[a])
        - np.minimum(cap[b], load[b])
    )
    delta[b == a] = 0
    w = int(np.argmax(delta))
    if delta[w] > 0:
        bw = int(home[w])
        load[a], load[bw] = load[a] - d[w], load[bw] + d[w]
        home[v], home[w] = bw, a
        return True
    return False
