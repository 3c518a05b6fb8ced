"""Why this home, in the reader's language: the engine's reasons rendered with place names.

The engine gives each placement its reasons as data (a code and parameters, see
homecoming/allocation/engine/reasons.py); a run keeps them on every AllocationResult. Here
they become sentences in the active language, with the names of settlements and complexes
(from geography and housing) where the engine only knows their codes. A result stored
before reasons were kept as data shows its stored English sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

from homecoming.allocation.engine import Reason
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex

SETTLEMENT_KEYS = ("settlement", "origin", "destination")


class Explained(Protocol):
    reason: str
    reasons: list[dict[str, Any]]
    unit_id: int | None


class Places:
    """Names of the settlements and complexes that reasons name by code.

    Names are read when a sentence is made, so a settlement's name follows the active
    language; an unknown code (a place since deleted) is shown as it is.
    """

    def __init__(self, settlements: Mapping[str, Area], complexes: Mapping[str, str]) -> None:
        self.settlements = settlements
        self.complexes = complexes

    @classmethod
    def of(cls, reason_lists: Iterable[Sequence[Mapping[str, Any]]]) -> Places:
        """The names of every place the reasons mention, in two queries."""
        s_codes: set[str] = set()
        c_codes: set[str] = set()
        for reasons in reason_lists:
            for r in reasons:
                s_codes.update(str(r[k]) for k in SETTLEMENT_KEYS if r.get(k))
                if r.get("complex"):
                    c_codes.add(str(r["complex"]))
        settlements = {a.code: a for a in Area.objects.filter(code__in=s_codes)} if s_codes else {}
        complexes = (
            dict(ResidentialComplex.objects.filter(code__in=c_codes).values_list("code", "name"))
            if c_codes
            else {}
        )
        return cls(settlements, complexes)

    def settlement(self, code: Any) -> str:
        area = self.settlements.get(str(code))
        return area.name if area is not None else str(code)

    def complex(self, code: Any) -> str:
        return self.complexes.get(str(code), str(code))


def _rooms(n: Any) -> str:
    return ngettext("%(n)d room", "%(n)d rooms", int(n)) % {"n": int(n)}


def _persons(n: Any) -> str:
    return npgettext("for a family of", "%(n)d person", "%(n)d persons", int(n)) % {"n": int(n)}


def _housed(p: Mapping[str, Any], places: Places) -> dict[str, Callable[[], str]]:
    return {
        "rooms_ideal": lambda: (
            _("%(rooms)s for %(persons)s, the ideal size")
            % {"rooms": _rooms(p["rooms"]), "persons": _persons(p["persons"])}
        ),
        "rooms_other": lambda: (
            _("%(rooms)s for %(persons)s (the ideal, %(ideal)s, was not free)")
            % {
                "rooms": _rooms(p["rooms"]),
                "persons": _persons(p["persons"]),
                "ideal": _rooms(p["ideal"]),
            }
        ),
        "step_free": lambda: _("step-free, as your family needs"),
        "place": lambda: (
            _("building %(building)s of %(complex)s, %(settlement)s")
            % {
                "building": p["building"],
                "complex": places.complex(p["complex"]),
                "settlement": places.settlement(p["settlement"]),
            }
        ),
        **_relatives(p, places),
        "group_building": lambda: (
            ngettext(
                "with the other household of your group, in building %(building)s",
                "with the %(n)d other households of your group, in building %(building)s",
                int(p["others"]),
            )
            % {"n": int(p["others"]), "building": p["building"]}
        ),
        "group_complex": lambda: (
            ngettext(
                "your group of %(n)d household is in %(complex)s, spread over %(buildings)s "
                "(no single building had room)",
                "your group of %(n)d households is in %(complex)s, spread over %(buildings)s "
                "(no single building had room)",
                int(p["households"]),
            )
            % {
                "n": int(p["households"]),
                "complex": places.complex(p["complex"]),
                "buildings": npgettext(
                    "spread over", "%(n)d building", "%(n)d buildings", int(p["buildings"])
                )
                % {"n": int(p["buildings"])},
            }
        ),
        "group_settlement": lambda: (
            ngettext(
                "your group of %(n)d household is in %(settlement)s, spread over %(complexes)s "
                "(no single complex had room)",
                "your group of %(n)d households is in %(settlement)s, spread over %(complexes)s "
                "(no single complex had room)",
                int(p["households"]),
            )
            % {
                "n": int(p["households"]),
                "settlement": places.settlement(p["settlement"]),
                "complexes": npgettext(
                    "spread over", "%(n)d complex", "%(n)d complexes", int(p["complexes"])
                )
                % {"n": int(p["complexes"])},
            }
        ),
        "origin": lambda: (
            ngettext(
                "with %(n)d other family from %(origin)s in this complex",
                "with %(n)d other families from %(origin)s in this complex",
                int(p["others"]),
            )
            % {"n": int(p["others"]), "origin": places.settlement(p["origin"])}
        ),
        "priority": lambda: _("served before families of lower priority"),
    }


def _no_home(code: str, rooms: str, step_free: bool, dest: str) -> str:
    """No home of the family's size (step-free): none exists, or none was left."""
    if code == "none_exists":
        if dest:
            text = (
                _("there is no step-free home with %(rooms)s rooms in %(place)s")
                if step_free
                else _("there is no home with %(rooms)s rooms in %(place)s")
            )
        else:
            text = (
                _("there is no step-free home with %(rooms)s rooms")
                if step_free
                else _("there is no home with %(rooms)s rooms")
            )
    elif code == "none_left_step_free":
        text = (
            _("no step-free home with %(rooms)s rooms was left in %(place)s at your priority")
            if dest
            else _("no step-free home with %(rooms)s rooms was left at your priority")
        )
    else:
        text = (
            _("no home with %(rooms)s rooms was left in %(place)s at your priority")
            if dest
            else _("no home with %(rooms)s rooms was left at your priority")
        )
    return text % {"rooms": rooms, "place": dest}


def _refused(p: Mapping[str, Any], places: Places) -> dict[str, Callable[[], str]]:
    dest = places.settlement(p["destination"]) if p.get("destination") else ""
    if dest and p.get("follows"):  # not the family's choice: where its group's first live
        dest = _("%(place)s, where your group's first families live") % {"place": dest}
    n = int(p.get("households", 0))
    rooms = str(p.get("rooms", ""))
    step_free = bool(p.get("step_free"))
    return {
        "group_conflict": lambda: _("the households of your group chose different destinations"),
        "no_destination": lambda: (
            _("there are no homes in your chosen destination, %(place)s") % {"place": dest}
        ),
        "none_exists": lambda: _no_home("none_exists", rooms, step_free, dest),
        "none_left_step_free": lambda: _no_home("none_left_step_free", rooms, step_free, dest),
        "none_left_size": lambda: _no_home("none_left_size", rooms, step_free, dest),
        "group_all_or_none": lambda: (
            ngettext(
                "your group of %(n)d household moves together or not at all",
                "your group of %(n)d households moves together or not at all",
                n,
            )
            % {"n": n}
        ),
        "group_no_room": lambda: (
            (
                ngettext(
                    "your group of %(n)d household did not fit together in %(place)s at your priority",
                    "your group of %(n)d households did not fit together in %(place)s at your priority",
                    n,
                )
                if dest
                else ngettext(
                    "your group of %(n)d household did not fit together in one settlement "
                    "at your priority",
                    "your group of %(n)d households did not fit together in one settlement "
                    "at your priority",
                    n,
                )
            )
            % {"n": n, "place": dest}
        ),
        "group_member_unfit": lambda: (
            ngettext(
                "another household of your group of %(n)d found no home of its size, and a group "
                "moves together or not at all",
                "another household of your group of %(n)d found no home of its size, and a group "
                "moves together or not at all",
                n,
            )
            % {"n": n}
        ),
        "none_left": lambda: (
            _("no home was left in %(place)s at your priority") % {"place": dest}
            if dest
            else _("no home was left at your priority")
        ),
        "no_home": lambda: _("no home was left"),
    }


def _relatives(p: Mapping[str, Any], places: Places) -> dict[str, Callable[[], str]]:
    """A follower's place beside its group's first families (the residents)."""
    return {
        "relatives_building": lambda: (
            _("next to your relatives, in building %(building)s") % {"building": p["building"]}
        ),
        "relatives_complex": lambda: (
            _("in %(complex)s, where your relatives live")
            % {"complex": places.complex(p["complex"])}
        ),
        "relatives_settlement": lambda: (
            _("in %(settlement)s, where your relatives live (no home for you in their complex)")
            % {"settlement": places.settlement(p["settlement"])}
        ),
    }


def phrase(reason: Mapping[str, Any], places: Places) -> str:
    """One reason in the active language.

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     phrase({"code": "priority"}, Places({}, {}))
    'served before families of lower priority'
    """
    r = Reason.from_dict(reason)
    makers = _housed(r.params, places) if r.code in HOUSED_CODES else _refused(r.params, places)
    return makers[r.code]()


HOUSED_CODES = frozenset(
    {
        "rooms_ideal",
        "rooms_other",
        "step_free",
        "place",
        "group_building",
        "group_complex",
        "group_settlement",
        "origin",
        "priority",
        "relatives_building",
        "relatives_complex",
        "relatives_settlement",
    }
)


def sentence(reasons: Sequence[Mapping[str, Any]], housed: bool, places: Places) -> str:
    """All the reasons of one placement as one sentence, starting with a capital.

    >>> from django.utils import translation
    >>> with translation.override("en"):
    ...     sentence([{"code": "no_home"}], False, Places({}, {}))
    'Not housed in this run: no home was left'
    """
    text = pgettext("list of reasons", "; ").join(phrase(r, places) for r in reasons)
    if not housed:
        text = _("Not housed in this run: %(reasons)s") % {"reasons": text}
    return text[:1].upper() + text[1:]


def explain(results: Iterable[Explained]) -> list[str]:
    """The sentence of each result in the active language (the stored text if no data)."""
    rows = list(results)
    places = Places.of(r.reasons for r in rows if r.reasons)
    return [
        sentence(r.reasons, r.unit_id is not None, places) if r.reasons else r.reason for r in rows
    ]


def attach(results: Iterable[Any]) -> list[Any]:
    """Give each result a `why` attribute (its sentence, see :func:`explain`); templates
    show `r.why`."""
    rows = list(results)
    for r, text in zip(rows, explain(rows), strict=True):
        r.why = text
    return rows
