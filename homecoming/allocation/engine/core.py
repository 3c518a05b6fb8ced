"""Shared machinery of the solvers: indexing, the exact capacity test, admission by priority.

The key tool is `Hall`, an exact test of whether a multiset of households fits a pool of
units. Households differ only by class (room band, step-free need) and units only by type
(rooms, step-free), so by Hall's theorem the pool is enough iff for every pair of room sets
T2 <= T1: needy households with band inside T1 plus others with band inside T2 are at most
the step-free units with rooms in T1 plus the other units with rooms in T2. With at most 8
room counts that is at most 3**8 inequalities, checked as one matrix product.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .errors import InputError
from .model import GroupHome, Household, Policy, Resident, Unit, group_homes
from .reasons import Param, Reason

IntArray = NDArray[np.int64]
Progress = Callable[[float, str], None] | None
_FILTER_ROWS = 8  # rows from which `Hall.fits` counts households against units first


class Hall:
    """Exact "does this demand fit this supply" test for class counts against type counts.

    >>> p = Policy.default()
    >>> hall = Hall(p)
    >>> d = np.zeros(hall.n_classes, dtype=np.int64); d[hall.klass(5, False)] = 2
    >>> s = np.zeros(hall.n_types, dtype=np.int64); s[hall.type_of(3, False)] = 1
    >>> bool(hall.fits(d, s))
    False
    >>> s[hall.type_of(4, True)] = 1
    >>> bool(hall.fits(d, s))
    True
    """

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._band_cache: dict[int, int] = {}
        self.lo = policy.min_level
        self.levels = policy.max_level - self.lo + 1
        self.n_classes = 2 * len(policy.bands)
        self.n_types = 2 * self.levels
        rows_d: list[list[int]] = []
        rows_s: list[list[int]] = []
        # each level: 0 = in neither set, 1 = in T1 only, 2 = in T1 and T2
        for combo in itertools.product((0, 1, 2), repeat=self.levels):
            t1 = {i for i, c in enumerate(combo) if c >= 1}
            t2 = {i for i, c in enumerate(combo) if c == 2}
            rd = [0] * self.n_classes
            for bi, b in enumerate(policy.bands):
                band = set(range(b.min_rooms - self.lo, b.max_rooms - self.lo + 1))
                rd[2 * bi + 1] = int(band <= t1)
                rd[2 * bi] = int(band <= t2)
            rs = [0] * self.n_types
            for lv in range(self.levels):
                rs[2 * lv + 1] = int(lv in t1)
                rs[2 * lv] = int(lv in t2)
            if any(rd):
                rows_d.append(rd)
                rows_s.append(rs)
        self.hd: IntArray = np.array(rows_d, dtype=np.int64).T.copy()
        self.hs: IntArray = np.array(rows_s, dtype=np.int64).T.copy()
        # compatibility and ideal tables, class x type
        self.compat = np.zeros((self.n_classes, self.n_types), dtype=bool)
        self.ideal = np.zeros((self.n_classes, self.n_types), dtype=bool)
        for bi, b in enumerate(policy.bands):
            for needy in (0, 1):
                for lv in range(self.levels):
                    rooms = lv + self.lo
                    for acc in (0, 1):
                        if b.min_rooms <= rooms <= b.max_rooms and (acc or not needy):
                            self.compat[2 * bi + needy, 2 * lv + acc] = True
                            self.ideal[2 * bi + needy, 2 * lv + acc] = rooms == b.ideal
        # class x room level: 1 where the level is the class's ideal room count
        self.ideal_level: IntArray = np.zeros((self.n_classes, self.levels), dtype=np.int64)
        for k in range(self.n_classes):
            self.ideal_level[k, policy.bands[k // 2].ideal - self.lo] = 1

    def klass(self, size: int, needy: bool) -> int:
        band = self._band_cache.get(size)
        if band is None:
            band = self._band_cache[size] = self.policy.band_index(size)
        return 2 * band + int(needy)

    def type_of(self, rooms: int, accessible: bool) -> int:
        """Type index of a unit, or -1 when its room count is in no band (never usable)."""
        if not self.lo <= rooms < self.lo + self.levels:
            return -1
        return 2 * (rooms - self.lo) + int(accessible)

    def rooms_of(self, t: int) -> int:
        return t // 2 + self.lo

    def fits(self, demand: IntArray, supply: IntArray) -> NDArray[np.bool_]:
        """Row-wise test; `demand` (..., n_classes) and `supply` (..., n_types).

        Many rows, as when a group looks at every complex of a city, are first filtered by
        the count of households against the count of units (one of the inequalities, and a
        cheap one): in a full city most rows fail there, and only the rest pay the product.
        """
        if demand.ndim == supply.ndim == 2 and len(demand) == len(supply) > _FILTER_ROWS:
            out: NDArray[np.bool_] = demand.sum(axis=1) <= supply.sum(axis=1)
            rows = np.nonzero(out)[0]
            out[rows] = np.all(demand[rows] @ self.hd <= supply[rows] @ self.hs, axis=-1)
            return out
        every: NDArray[np.bool_] = np.all(demand @ self.hd <= supply @ self.hs, axis=-1)
        return every


@dataclass
class Block:
    """A group (or a household on its own): housed all together or not at all."""

    index: int
    group_id: str | None
    members: list[int]
    priority: float
    registered: datetime.date
    destination: str | None
    conflict: bool
    origin: str | None
    demand: IntArray
    key: float = 0.0
    #: where the group's residents (earlier stages) live; None: no residents
    home: GroupHome | None = None
    #: the destination is the residents' settlement, not a member's own choice
    follows: bool = False

    @property
    def multi(self) -> bool:
        return len(self.members) > 1

    def where(self) -> dict[str, Param]:
        """The parameters by which refusals name the block's required settlement: none
        when it has none; `follows` when it is where the group's first families live."""
        if self.destination is None:
            return {}
        if self.follows:
            return {"destination": self.destination, "follows": True}
        return {"destination": self.destination}


@dataclass
class Instance:
    """Indexed view of households and units."""

    households: Sequence[Household]
    units: Sequence[Unit]
    policy: Policy
    hall: Hall
    klass: IntArray
    utype: IntArray
    settlements: list[str]
    complexes: list[tuple[str, str]]
    buildings: list[tuple[str, str, str]]
    u_settlement: IntArray
    u_complex: IntArray
    u_building: IntArray
    complex_settlement: IntArray
    building_complex: IntArray
    supply_s: IntArray
    supply_c: IntArray
    supply_b: IntArray
    blocks: list[Block]
    block_of: IntArray
    settlement_index: dict[str, int] = field(default_factory=dict)
    residents: Sequence[Resident] = ()


def build_instance(
    households: Sequence[Household],
    units: Sequence[Unit],
    policy: Policy,
    residents: Sequence[Resident] = (),
) -> Instance:
    """Index the inputs; raises InputError on duplicate ids passed in directly (not via CSV).

    A group with residents must live in their settlement: it becomes the destination of its
    blocks, unless a member chose a destination of its own (the contract's hard rule 5).
    """
    hall = Hall(policy)
    _refuse_bad_ids(households, units)
    _refuse_bad_residents(households, residents)
    klass = np.array([hall.klass(h.size, h.needs_accessible) for h in households], dtype=np.int64)
    utype = np.array([hall.type_of(u.rooms, u.is_accessible) for u in units], dtype=np.int64)
    settlements = sorted({u.settlement for u in units})
    complexes = sorted({(u.settlement, u.complex) for u in units})
    buildings = sorted({(u.settlement, u.complex, u.building) for u in units})
    s_idx = {s: i for i, s in enumerate(settlements)}
    c_idx = {c: i for i, c in enumerate(complexes)}
    b_idx = {b: i for i, b in enumerate(buildings)}
    u_s = np.array([s_idx[u.settlement] for u in units], dtype=np.int64)
    u_c = np.array([c_idx[(u.settlement, u.complex)] for u in units], dtype=np.int64)
    u_b = np.array([b_idx[(u.settlement, u.complex, u.building)] for u in units], dtype=np.int64)
    usable = utype >= 0
    blocks, block_of = _make_blocks(households, klass, hall.n_classes)
    homes = group_homes(residents)
    for b in blocks:
        if b.group_id is not None and b.group_id in homes:
            b.home = homes[b.group_id]
            if b.destination is None:
                b.destination, b.follows = b.home.settlement, True
    return Instance(
        households=households,
        units=units,
        policy=policy,
        hall=hall,
        klass=klass,
        utype=utype,
        settlements=settlements,
        complexes=complexes,
        buildings=buildings,
        u_settlement=u_s,
        u_complex=u_c,
        u_building=u_b,
        complex_settlement=np.array([s_idx[c[0]] for c in complexes], dtype=np.int64),
        building_complex=np.array([c_idx[(b[0], b[1])] for b in buildings], dtype=np.int64),
        supply_s=_count_types(len(settlements), hall.n_types, u_s[usable], utype[usable]),
        supply_c=_count_types(len(complexes), hall.n_types, u_c[usable], utype[usable]),
        supply_b=_count_types(len(buildings), hall.n_types, u_b[usable], utype[usable]),
        blocks=blocks,
        block_of=block_of,
        settlement_index=s_idx,
        residents=residents,
    )


def _refuse_bad_ids(households: Sequence[Household], units: Sequence[Unit]) -> None:
    seen: set[str] = set()
    for h in households:
        if h.household_id in seen:
            raise InputError("households", None, "household_id", f"duplicate id {h.household_id!r}")
        if h.size < 1:
            raise InputError("households", None, "size", f"size < 1 for {h.household_id!r}")
        seen.add(h.household_id)
    seen = set()
    for u in units:
        if u.unit_id in seen:
            raise InputError("units", None, "unit_id", f"duplicate id {u.unit_id!r}")
        seen.add(u.unit_id)


def _refuse_bad_residents(households: Sequence[Household], residents: Sequence[Resident]) -> None:
    ids = {h.household_id for h in households}
    seen: set[str] = set()
    for r in residents:
        if r.household_id in seen:
            raise InputError("residents", None, "household_id", f"duplicate id {r.household_id!r}")
        if r.household_id in ids:
            raise InputError(
                "residents", None, "household_id", f"{r.household_id!r} is also in households"
            )
        seen.add(r.household_id)


def _count_types(n_places: int, n_types: int, place: IntArray, utype: IntArray) -> IntArray:
    """Units per (place, type)."""
    out = np.zeros((n_places, n_types), dtype=np.int64)
    np.add.at(out, (place, utype), 1)
    return out


def _make_blocks(
    households: Sequence[Household], klass: IntArray, n_classes: int
) -> tuple[list[Block], IntArray]:
    """One block per group (or household alone), in order of first member; and each
    household's block."""
    blocks: list[Block] = []
    by_group: dict[str, int] = {}
    block_of = np.zeros(len(households), dtype=np.int64)
    for i, h in enumerate(households):
        if h.group_id is not None and h.group_id in by_group:
            bi = by_group[h.group_id]
            blocks[bi].members.append(i)
        else:
            bi = len(blocks)
            empty = np.zeros(n_classes, dtype=np.int64)
            blocks.append(
                Block(bi, h.group_id, [i], 0.0, datetime.date.max, None, False, None, empty)
            )
            if h.group_id is not None:
                by_group[h.group_id] = bi
        block_of[i] = bi
    for b in blocks:
        _describe_block(b, [households[i] for i in b.members], klass)
    return blocks, block_of


def _describe_block(b: Block, members: list[Household], klass: IntArray) -> None:
    """A block's priority (its highest member's), registration (earliest), destination,
    village (most members', then by name) and demand per class."""
    b.priority = max(m.priority for m in members)
    b.registered = min((m.registered_on or datetime.date.max) for m in members)
    dests = sorted({m.destination for m in members if m.destination is not None})
    b.destination = dests[0] if dests else None
    b.conflict = len(dests) > 1
    origins: dict[str, int] = {}
    for m in members:
        if m.origin is not None:
            origins[m.origin] = origins.get(m.origin, 0) + 1
    if origins:
        b.origin = sorted(origins.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    np.add.at(b.demand, klass[b.members], 1)


def band_text(policy: Policy, size: int) -> str:
    b = policy.band(size)
    return f"{b.min_rooms}" if b.min_rooms == b.max_rooms else f"{b.min_rooms}-{b.max_rooms}"


@dataclass
class Admission:
    """Who is housed and in which settlement; why the others are not."""

    settlement_of_block: IntArray  # -1 when not housed
    demand_s: IntArray
    refusal: dict[int, list[Reason]]  # household index -> why not housed
    order: list[int]


def admit(inst: Instance, rng: np.random.Generator, progress: Progress = None) -> Admission:
    """Serve blocks by priority, then registration date, then a seeded lottery.

    A block is admitted into a settlement iff everything admitted there so far plus the block
    still fits (exact test). Because the admitted set only grows, a refused block could not
    have been housed by taking the place of any lower-priority block admitted later.
    """
    hall = inst.hall
    n_s = len(inst.settlements)
    keys = rng.random(len(inst.blocks))
    for b, k in zip(inst.blocks, keys, strict=True):
        b.key = float(k)
    order = sorted(
        range(len(inst.blocks)),
        key=lambda i: (-inst.blocks[i].priority, inst.blocks[i].registered, inst.blocks[i].key),
    )
    demand = np.zeros((n_s, hall.n_classes), dtype=np.int64)
    used = np.zeros(n_s, dtype=np.int64)
    capacity = inst.supply_s.sum(axis=1)
    where = np.full(len(inst.blocks), -1, dtype=np.int64)
    refusal: dict[int, list[Reason]] = {}
    all_s = np.arange(n_s)
    origins: dict[str, IntArray] = {}  # households admitted per settlement, by origin
    awaited = np.zeros(n_s, dtype=np.int64)
    for b in inst.blocks:
        if b.destination is not None and b.destination in inst.settlement_index:
            awaited[inst.settlement_index[b.destination]] += len(b.members)
    for step, bi in enumerate(order):
        if progress is not None and step % 5000 == 0:
            progress(0.05 + 0.35 * step / max(1, len(order)), "serving families by priority")
        b = inst.blocks[bi]
        if b.destination is not None and b.destination in inst.settlement_index:
            awaited[inst.settlement_index[b.destination]] -= len(b.members)
        if b.conflict:
            for i in b.members:
                refusal[i] = [Reason("group_conflict")]
            continue
        if b.destination is not None:
            si = inst.settlement_index.get(b.destination)
            if si is None:
                for i in b.members:
                    refusal[i] = [Reason("no_destination", b.where())]
                continue
            allowed = np.array([si])
        else:
            allowed = all_s
        ok = hall.fits(demand[allowed] + b.demand, inst.supply_s[allowed])
        if ok.any():
            cands = allowed[ok]
            choice = -1
            # Households without a destination go where supply is least claimed by the
            # households still to come that chose that settlement; among such places, to
            # their home settlement or where their village already goes.
            slack = capacity[cands] - used[cands] - awaited[cands]
            roomy = slack >= len(b.members)
            cand_list = cands.tolist()
            home = inst.settlement_index.get(b.origin) if b.origin is not None else None
            peers = origins.get(b.origin) if b.origin is not None else None
            if home is not None and home in cand_list and roomy[cand_list.index(home)]:
                choice = home
            elif peers is not None and (peers[cands] * roomy).max() > 0:
                choice = int(cands[int(np.argmax(peers[cands] * roomy))])
            else:
                choice = int(cands[int(np.argmax(slack))])
            where[bi] = choice
            if b.origin is not None:
                origins.setdefault(b.origin, np.zeros(n_s, dtype=np.int64))[choice] += len(
                    b.members
                )
            demand[choice] += b.demand
            used[choice] += len(b.members)
            continue
        _explain_refusal(inst, b, allowed, demand, refusal)
    return Admission(where, demand, refusal, order)


def _explain_refusal(
    inst: Instance,
    b: Block,
    allowed: IntArray,
    demand: IntArray,
    refusal: dict[int, list[Reason]],
) -> None:
    hall = inst.hall
    dest = b.where()
    lone_ok: dict[int, bool] = {}
    for i in b.members:
        h = inst.households[i]
        k = int(inst.klass[i])
        e = np.zeros(hall.n_classes, dtype=np.int64)
        e[k] = 1
        rooms = band_text(inst.policy, h.size)
        exists = (inst.supply_s[allowed] * hall.compat[k]).sum() > 0
        fits_now = bool(hall.fits(demand[allowed] + e, inst.supply_s[allowed]).any())
        lone_ok[i] = fits_now
        if not exists:
            params: dict[str, Param] = {"rooms": rooms, "step_free": h.needs_accessible}
            refusal[i] = [Reason("none_exists", params | dest)]
        elif not fits_now:
            e2 = np.zeros(hall.n_classes, dtype=np.int64)
            e2[k - 1 if h.needs_accessible else k] = 1
            plain_fits = bool(hall.fits(demand[allowed] + e2, inst.supply_s[allowed]).any())
            code = "none_left_step_free" if h.needs_accessible and plain_fits else "none_left_size"
            refusal[i] = [Reason(code, {"rooms": rooms} | dest)]
    if b.multi:
        n = len(b.members)
        for i in b.members:
            if i in refusal:
                refusal[i].append(Reason("group_all_or_none", {"households": n}))
            elif all(lone_ok.values()):
                refusal[i] = [Reason("group_no_room", {"households": n} | dest)]
            else:
                refusal[i] = [Reason("group_member_unfit", {"households": n})]
    for i in b.members:
        refusal.setdefault(i, [Reason("none_left", dest)])


class Joint:
    """Exact fit test for a complex whose kin groups are each bound to one building.

    Demand bound to building b may use only b's units; the rest of the complex's demand may
    use any unit of the complex. A neighbourhood of a set of classes is a point of the
    lattice {0, 1, 2}^levels (per room level: no unit, step-free units only, all units), and
    a union of neighbourhoods is the componentwise maximum. So Hall's condition for the whole
    complex reads: for every point r, free(r) + sum_b F_b(r) <= 0, where
    F_b(r) = max over r' >= r of (bound demand of b inside r' - units of b inside r'), a
    suffix maximum along each axis of the lattice.

    >>> p = Policy.default()
    >>> j = Joint(Hall(p))
    >>> d = np.zeros(j.hall.n_classes, dtype=np.int64); d[j.hall.klass(5, False)] = 1
    >>> s = np.zeros((2, j.hall.n_types), dtype=np.int64)
    >>> s[0, j.hall.type_of(3, False)] = 1; s[1, j.hall.type_of(4, False)] = 1
    >>> f = j.slack(np.zeros((2, j.hall.n_classes), dtype=np.int64), s)
    >>> bool(j.fits(d, f.sum(axis=0)))  # one 5-person family, free in the complex
    True
    >>> bound = j.slack(np.stack([d, d]), s)  # two more, each bound to its building
    >>> bool(j.fits(d, bound.sum(axis=0)))
    False
    """

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        levels = hall.levels
        combos = np.array(list(itertools.product((0, 1, 2), repeat=levels)), dtype=np.int64)
        self.points = len(combos)
        hd = np.zeros((hall.n_classes, self.points), dtype=np.int64)
        hs = np.zeros((hall.n_types, self.points), dtype=np.int64)
        for bi, b in enumerate(hall.policy.bands):
            lv = np.arange(b.min_rooms - hall.lo, b.max_rooms - hall.lo + 1)
            hd[2 * bi + 1] = (combos[:, lv] >= 1).all(axis=1)
            hd[2 * bi] = (combos[:, lv] == 2).all(axis=1)
        for li in range(levels):
            hs[2 * li + 1] = combos[:, li] >= 1
            hs[2 * li] = combos[:, li] == 2
        self.hd = hd
        self.hs = hs

    def demand(self, demand: IntArray) -> IntArray:
        """Demand inside each lattice point, (..., points)."""
        out: IntArray = demand @ self.hd
        return out

    def raw(self, bound: IntArray, supply: IntArray) -> IntArray:
        """Bound demand minus units inside each lattice point, per row."""
        out: IntArray = bound @ self.hd - supply @ self.hs
        return out

    def suffix_max(self, raw: IntArray) -> IntArray:
        """F from `raw` (n, points): the maximum over every point above (may reuse `raw`)."""
        levels = self.hall.levels
        v = np.ascontiguousarray(raw).reshape((len(raw),) + (3,) * levels)
        for ax in range(1, levels + 1):
            lead: tuple[slice, ...] = (slice(None),) * ax
            hi = v[(*lead, 2)]  # type: ignore[arg-type]
            mid = v[(*lead, 1)]  # type: ignore[arg-type]
            lo = v[(*lead, 0)]  # type: ignore[arg-type]
            np.maximum(mid, hi, out=mid)
            np.maximum(lo, mid, out=lo)
        out: IntArray = v.reshape(len(raw), self.points)
        return out

    def slack(self, bound: IntArray, supply: IntArray) -> IntArray:
        """F_b for each row: `bound` (n, n_classes) demand tied to the row's units `supply`."""
        return self.suffix_max(self.raw(bound, supply))

    def fits(self, free: IntArray, slack_sum: IntArray) -> bool:
        """Free demand `free` (n_classes) with buildings whose F_b sum to `slack_sum`."""
        return bool(np.all(free @ self.hd + slack_sum <= 0))
