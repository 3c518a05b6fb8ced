"""Followers of a run, read back from its published files: which families of groups already
housed (the residents) joined their relatives' building, complex or settlement, and why the
others did not. Pure: the run's CSV texts in, plain rows out.

>>> hh = "household_id,size,group_id\\nA,2,G\\nB,3,G\\nC,1,\\n"
>>> un = "unit_id,settlement,complex,building,rooms\\nX/1/1,S,X,1,2\\nY/1/1,S,Y,1,3\\n"
>>> rs = "household_id,group_id,settlement,complex,building\\nR,G,S,X,1\\n"
>>> out = "household_id,unit_id,reason\\nA,X/1/1,ok\\nB,Y/1/1,ok\\nC,,none\\n"
>>> [(f.household_id, f.joined, f.why) for f in followers(hh, un, rs, out)]
[('A', 'building', ''), ('B', 'settlement', 'full')]
>>> tally(followers(hh, un, rs, out))
{'followers': 2, 'housed': 2, 'settlement': 2, 'complex': 1, 'building': 1}
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

#: How close a follower came to its residents, best first.
JOINED = ("building", "complex", "settlement", "elsewhere", "not_housed")


@dataclass(frozen=True)
class Follower:
    """One family whose group has residents. `joined` is one of JOINED; `why` says why it is
    not in a complex of its residents: "absent" (no home of theirs in this run), "full"
    (none left of its size), "not_housed" (the engine's reason is in `reason`)."""

    household_id: str
    group_id: str
    residents_in: tuple[tuple[str, str, str], ...]  # (settlement, complex, building)
    unit_id: str
    joined: str
    why: str
    reason: str


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text))) if text else []


def followers(
    households_text: str, units_text: str, residents_text: str, assignments_text: str
) -> list[Follower]:
    """The run's followers in input order (none when the run had no residents)."""
    homes: dict[str, list[tuple[str, str, str]]] = {}
    for r in _rows(residents_text):
        if r.get("group_id"):
            homes.setdefault(r["group_id"], []).append(
                (r["settlement"], r["complex"], r["building"])
            )
    if not homes:
        return []
    units = {u["unit_id"]: u for u in _rows(units_text)}
    complexes_here = {(u["settlement"], u["complex"]) for u in units.values()}
    placed = {a["household_id"]: a for a in _rows(assignments_text)}
    out = []
    for h in _rows(households_text):
        places = homes.get(h.get("group_id") or "")
        if not places:
            continue
        a = placed.get(h["household_id"], {})
        u = units.get(a.get("unit_id") or "")
        joined = _joined(u, places)
        why = ""
        if joined in ("settlement", "elsewhere"):
            open_here = {(s, c) for s, c, _ in places} & complexes_here
            why = "full" if open_here else "absent"
        elif joined == "not_housed":
            why = "not_housed"
        out.append(
            Follower(
                h["household_id"],
                h["group_id"],
                tuple(sorted(set(places))),
                a.get("unit_id") or "",
                joined,
                why,
                a.get("reason", ""),
            )
        )
    return out


def _joined(unit: dict[str, str] | None, places: Sequence[tuple[str, str, str]]) -> str:
    if unit is None:
        return "not_housed"
    where = (unit["settlement"], unit["complex"], unit["building"])
    if where in places:
        return "building"
    if where[:2] in {p[:2] for p in places}:
        return "complex"
    if where[0] in {p[0] for p in places}:
        return "settlement"
    return "elsewhere"


def tally(rows: Sequence[Follower]) -> dict[str, int]:
    """Followers, housed, and housed in a settlement, complex, building of their residents."""
    rank = {name: i for i, name in enumerate(JOINED)}
    return {
        "followers": len(rows),
        "housed": sum(1 for f in rows if f.joined != "not_housed"),
        "settlement": sum(1 for f in rows if rank[f.joined] <= rank["settlement"]),
        "complex": sum(1 for f in rows if rank[f.joined] <= rank["complex"]),
        "building": sum(1 for f in rows if f.joined == "building"),
    }
