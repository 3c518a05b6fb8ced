"""The exact last step of a settlement's plan: households into (building, type) slots.

A min-cost flow (OR-Tools network simplex). Nodes, in the order they are made:

- one **slot** node per (building, unit type) with units, each with an arc to the sink
  carrying the number of such units;
- one **group** node per (kin group bound to a building, household class): arcs to the
  compatible slots of that building, paid the building bonus, the village bonus and the
  ideal-rooms bonus; and an arc to the complex's overflow node charged what the whole group
  loses when this member leaves (`(group_building - group_complex) x (members - 1)`);
- one **overflow** node per (household class, complex, bonus): arcs to the compatible slots
  of the complex, paid that bonus plus the ideal-rooms bonus, and one to the settlement node;
- one **settlement** node per household class: arcs to every compatible slot, paid the
  ideal-rooms bonus only.

Overflow arcs let anyone go anywhere in the settlement, so the flow is feasible whenever
admission said the settlement fits. The flow is then decomposed into households per slot by
walking group, overflow and settlement nodes in that (topological) order.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from .core import Instance, IntArray
from .errors import Infeasible


class SlotMatching:
    """The flow network of one settlement, built group by group, then solved."""

    def __init__(
        self, inst: Instance, settlement: int, complexes: IntArray, buildings: IntArray
    ) -> None:
        self.inst = inst
        self.hall = inst.hall
        self.weights = inst.policy.weights()
        self.settlement = settlement
        self.complexes = complexes  # global indices; `c` below is a position in this array
        self.buildings = buildings  # global indices
        self.n_nodes = 0
        self.tails: list[int] = []
        self.heads: list[int] = []
        self.caps: list[int] = []
        self.costs: list[int] = []
        self.slot_node: dict[tuple[int, int], int] = {}  # (global building, type) -> node
        for bld in buildings.tolist():
            for t in np.nonzero(inst.supply_b[bld])[0].tolist():
                self.slot_node[(int(bld), int(t))] = self._new_node()
        self.sink = self._new_node()
        for (bld, t), node in self.slot_node.items():
            self._arc(node, self.sink, int(inst.supply_b[bld, t]), 0)
        self.supplies: dict[int, int] = {}
        self.waiting: dict[int, list[int]] = {}  # node -> households entering it
        self.group_nodes: list[int] = []
        self.overflow_nodes: dict[tuple[int, int, int], int] = {}  # (class, complex, bonus)
        self.settlement_nodes: dict[int, int] = {}  # class -> node
        self.total = 0

    def _new_node(self) -> int:
        self.n_nodes += 1
        return self.n_nodes - 1

    def _arc(self, tail: int, head: int, cap: int, cost: int) -> None:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(cap)
        self.costs.append(cost)

    def _settlement_node(self, k: int) -> int:
        if k not in self.settlement_nodes:
            self.settlement_nodes[k] = self._new_node()
        return self.settlement_nodes[k]

    def _overflow_node(self, k: int, c: int, bonus: int) -> int:
        key = (k, c, bonus)
        if key not in self.overflow_nodes:
            self.overflow_nodes[key] = self._new_node()
        return self.overflow_nodes[key]

    def _enter(self, node: int, members: list[int]) -> None:
        self.supplies[node] = self.supplies.get(node, 0) + len(members)
        self.waiting.setdefault(node, []).extend(members)

    def add_group(self, bi: int, c: int, building: int | None, village_bonus: int) -> None:
        """The members of block bi, planned into local complex `c` (-1: none) and global
        `building` (None: not bound), with the village bonus they earn in that complex."""
        w = self.weights
        b = self.inst.blocks[bi]
        by_class: dict[int, list[int]] = {}
        for i in b.members:
            by_class.setdefault(int(self.inst.klass[i]), []).append(i)
        for k, members in by_class.items():
            self.total += len(members)
            if building is not None:
                self._add_bound_members(k, members, c, building, village_bonus, len(b.members))
            elif c >= 0:
                # a follower alone still earns being in its planned (residents') complex
                together = b.multi or b.home is not None
                bonus = (w["group_complex"] if together else 0) + village_bonus
                self._enter(self._overflow_node(k, c, bonus), members)
            else:
                self._enter(self._settlement_node(k), members)

    def _add_bound_members(
        self, k: int, members: list[int], c: int, building: int, village_bonus: int, size: int
    ) -> None:
        w = self.weights
        node = self._new_node()
        self.supplies[node] = len(members)
        self.waiting[node] = list(members)
        self.group_nodes.append(node)
        for t in np.nonzero(self.hall.compat[k])[0].tolist():
            slot = self.slot_node.get((building, int(t)))
            if slot is not None:
                gain = w["group_building"] + village_bonus + w["ideal"] * int(self.hall.ideal[k, t])
                self._arc(node, slot, len(members), -gain)
        # leaving the planned building breaks the whole group: each leaver is charged what
        # the group loses when it alone leaves
        charge = (w["group_building"] - w["group_complex"]) * (size - 1)
        overflow = self._overflow_node(k, c, w["group_complex"] + village_bonus)
        self._arc(node, overflow, len(members), charge)

    def _add_overflow_arcs(self) -> None:
        inst, hall, w = self.inst, self.hall, self.weights
        for (k, c, bonus), node in list(self.overflow_nodes.items()):
            in_complex = self.buildings[inst.building_complex[self.buildings] == self.complexes[c]]
            for bld in in_complex.tolist():
                for t in np.nonzero(hall.compat[k])[0].tolist():
                    slot = self.slot_node.get((int(bld), int(t)))
                    if slot is not None:
                        gain = bonus + w["ideal"] * int(hall.ideal[k, t])
                        self._arc(node, slot, self.total, -gain)
            self._arc(node, self._settlement_node(k), self.total, 0)
        for k, node in list(self.settlement_nodes.items()):
            for (_bld, t), slot in self.slot_node.items():
                if hall.compat[k, t]:
                    self._arc(node, slot, self.total, -w["ideal"] * int(hall.ideal[k, t]))

    def solve(self) -> dict[int, list[int]]:
        """Households per slot node, once every group is added."""
        self._add_overflow_arcs()
        supply = np.zeros(self.n_nodes, dtype=np.int64)
        for node, n in self.supplies.items():
            supply[node] = n
        supply[self.sink] = -self.total
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.array(self.tails, dtype=np.int64),
            np.array(self.heads, dtype=np.int64),
            np.array(self.caps, dtype=np.int64),
            np.array(self.costs, dtype=np.int64),
        )
        smcf.set_nodes_supplies(np.arange(self.n_nodes, dtype=np.int64), supply)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            name = self.inst.settlements[self.settlement]
            raise Infeasible(f"settlement {name}: matching failed ({status})")
        return self._decompose(smcf.flows(np.arange(len(self.tails), dtype=np.int64)))

    def _decompose(self, flows: IntArray) -> dict[int, list[int]]:
        """Walk nodes in topological order (group, overflow, settlement), passing households
        along arcs with flow until each reaches a slot."""
        out_arcs: dict[int, list[int]] = {}
        for a, tail in enumerate(self.tails):
            if flows[a] > 0:
                out_arcs.setdefault(tail, []).append(a)
        at_slot: dict[int, list[int]] = {}
        order = (
            self.group_nodes
            + list(self.overflow_nodes.values())
            + list(self.settlement_nodes.values())
        )
        for node in order:
            queue = self.waiting.get(node, [])
            for a in out_arcs.get(node, []):
                f = int(flows[a])
                take, queue = queue[:f], queue[f:]
                head = self.heads[a]
                if head < self.sink:
                    at_slot.setdefault(head, []).extend(take)
                else:
                    self.waiting.setdefault(head, []).extend(take)
            if queue:  # pragma: no cover - flow conservation makes this impossible
                raise Infeasible("flow decomposition left households without a slot")
        return at_slot
