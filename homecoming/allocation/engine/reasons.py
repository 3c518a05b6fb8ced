"""Reasons as data: a code and its parameters, and their English sentence.

The engine explains every placement with a list of :class:`Reason` (why this unit, or why
none). The contract's `reason` column is the English text of that list, made here by
:func:`english`; the app keeps the list itself and renders it in the reader's language, with
the names of places instead of their codes (see docs/allocation-engine.md, "Reasons").

Codes and parameters (settlement, complex, building, origin and destination are codes as in
the input files; rooms is a band such as "2" or "2-3"; `follows` marks a destination that
is where the group's first families live, not one the family chose):

| code | parameters | English |
|---|---|---|
| rooms_ideal | rooms, persons | 3 rooms for 4 persons, the ideal size |
| rooms_other | rooms, persons, ideal | 2 rooms for 4 persons (the ideal 3 was not available) |
| step_free | | step-free as needed |
| place | building, complex, settlement | building B1, complex C1, S1 |
| group_building | others, building | with the 2 other households of your group in building B1 |
| group_complex | households, complex, buildings | your group of 3 households is in complex C1, over 2 ... |
| group_settlement | households, settlement, complexes | your group of 3 households is in S1, over 2 ... |
| relatives_building | building, complex | next to your relatives, in building B4 |
| relatives_complex | complex | in complex C1, where your relatives live |
| relatives_settlement | settlement | in S1, where your relatives live (no home for you in their complex) |
| origin | others, origin | with 4 other families from S0 in this complex |
| priority | | served before families of lower priority |
| group_conflict | | the households of your group chose different destinations |
| no_destination | destination, follows? | no home in your chosen destination S9 |
| none_exists | rooms, step_free, destination? | there is no home of 3 rooms |
| none_left_step_free | rooms, destination? | no step-free home of 3 rooms left at your priority |
| none_left_size | rooms, destination? | no home of 3 rooms left at your priority |
| group_all_or_none | households | your group of 3 households moves together or not at all |
| group_no_room | households, destination? | your group of 3 households did not fit together ... |
| group_member_unfit | households | another household of your group of 3 found no home ... |
| none_left | destination? | no home left at your priority |
| no_home | | no home left |

>>> english([Reason("rooms_ideal", {"rooms": 3, "persons": 4}), Reason("step_free")], True)
'3 rooms for 4 persons, the ideal size; step-free as needed'
>>> english([Reason("none_left", {"destination": "S9"})], False)
'not housed in this run: no home left in your chosen destination S9 at your priority'
>>> Reason("origin", {"others": 1, "origin": "S0"}).as_dict()
{'code': 'origin', 'others': 1, 'origin': 'S0'}
>>> Reason.from_dict({'code': 'origin', 'others': 1, 'origin': 'S0'}).params["others"]
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Param = str | int | bool


@dataclass(frozen=True)
class Reason:
    """One reason: a code (see the module docstring) and its parameters."""

    code: str
    params: Mapping[str, Param] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Param]:
        """The JSON form kept by the app: the code and the parameters in one object."""
        return {"code": self.code, **self.params}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        params = {k: v for k, v in data.items() if k != "code"}
        return cls(str(data["code"]), params)


def _plural(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _dest(p: Mapping[str, Param]) -> str:
    d = p.get("destination")
    if not d:
        return ""
    if p.get("follows"):
        return f" in {d}, where your group's first families live"
    return f" in your chosen destination {d}"


def english_one(r: Reason) -> str:
    """The English phrase of one reason (the words the contract's file has always had)."""
    p = r.params
    c = r.code
    if c in ("rooms_ideal", "rooms_other"):
        text = f"{_plural(p['rooms'], 'room', 'rooms')} for {_plural(p['persons'], 'person', 'persons')}"
        if c == "rooms_ideal":
            return text + ", the ideal size"
        return text + f" (the ideal {p['ideal']} was not available)"
    if c == "step_free":
        return "step-free as needed"
    if c == "place":
        return f"building {p['building']}, complex {p['complex']}, {p['settlement']}"
    if c == "relatives_building":
        return f"next to your relatives, in building {p['building']}"
    if c == "relatives_complex":
        return f"in complex {p['complex']}, where your relatives live"
    if c == "relatives_settlement":
        return f"in {p['settlement']}, where your relatives live (no home for you in their complex)"
    if c == "group_building":
        others = _plural(p["others"], "other household", "other households")
        return f"with the {others} of your group in building {p['building']}"
    if c == "group_complex":
        return (
            f"your group of {p['households']} households is in complex {p['complex']}, "
            f"over {p['buildings']} buildings (no single building had room)"
        )
    if c == "group_settlement":
        return (
            f"your group of {p['households']} households is in {p['settlement']}, "
            f"over {p['complexes']} complexes (no single complex had room)"
        )
    if c == "origin":
        others = _plural(p["others"], "other family", "other families")
        return f"with {others} from {p['origin']} in this complex"
    if c == "priority":
        return "served before families of lower priority"
    return _english_refusal(r)


def _english_refusal(r: Reason) -> str:
    p = r.params
    c = r.code
    if c == "group_conflict":
        return "the households of your group chose different destinations"
    if c == "no_destination":
        return f"no home{_dest(p)}"
    if c == "none_exists":
        kind = "step-free home" if p.get("step_free") else "home"
        return f"there is no {kind} of {p['rooms']} rooms{_dest(p)}"
    if c == "none_left_step_free":
        return f"no step-free home of {p['rooms']} rooms left{_dest(p)} at your priority"
    if c == "none_left_size":
        return f"no home of {p['rooms']} rooms left{_dest(p)} at your priority"
    if c == "group_all_or_none":
        return f"your group of {p['households']} households moves together or not at all"
    if c == "group_no_room":
        return (
            f"your group of {p['households']} households did not fit together in one settlement"
            f"{_dest(p)} at your priority"
        )
    if c == "group_member_unfit":
        return (
            f"another household of your group of {p['households']} found no home of its size; "
            "a group moves together or not at all"
        )
    if c == "none_left":
        return f"no home left{_dest(p)} at your priority"
    if c == "no_home":
        return "no home left"
    raise ValueError(f"unknown reason code {c!r}")


def english(reasons: Sequence[Reason], housed: bool) -> str:
    """The contract's sentence: the phrases joined by "; ", prefixed when not housed."""
    text = "; ".join(english_one(r) for r in reasons)
    return text if housed else "not housed in this run: " + text
