"""Why a family was offered its home, in the reader's language.

An offer made from an allocation run shows the run's reasons for this family (rendered by
homecoming.allocation.reasons, with place names); an offer from a run's reserve list says
the family's rank, translated when shown; an officer's offer with no reason given says so.
A reason the system wrote as data (`Offer.reasons`: an exchange of homes, with the other
family) is rendered here in the reader's language; an officer's own words are shown as
typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from homecoming.allocation import reasons as allocation_reasons
from homecoming.allocation.models import AllocationResult
from homecoming.handover.models import Offer

#: Stored untranslated (the reader's language is not known when an offer is made);
#: translated when shown.
OFFERED_BY_OFFICER = gettext_noop("Offered by an officer.")
PICKED_BY_OFFICER = gettext_noop(
    "Offered by an officer from the list of families waiting: the home suits your family's size and needs."
)
#: Reasons stored as their English msgid and translated when read.
STORED_MSGIDS = frozenset({OFFERED_BY_OFFICER, PICKED_BY_OFFICER})


#: Reasons stored as data: code -> the sentence in the active language.
OFFER_REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "swapped": lambda p: (
        gettext("Exchanged with family %(reg)s by consent of both.") % {"reg": p["with"]}
    ),
}


def reason_data(code: str, **params: Any) -> tuple[str, list[dict[str, Any]]]:
    """A reason to store on an offer: its English sentence (`Offer.reason`) and the data
    it is rendered from in the reader's language (`Offer.reasons`)."""
    data = [{"code": code, **params}]
    with translation.override("en"):
        return rendered(data), data


def rendered(reasons: Iterable[Mapping[str, Any]]) -> str:
    """The sentences of stored reasons in the active language (an unknown code: as is)."""
    return " ".join(
        OFFER_REASONS[r["code"]](r) if r.get("code") in OFFER_REASONS else str(r.get("code"))
        for r in reasons
    )


def attach(offers: Iterable[Offer | None]) -> None:
    """Give each offer a `why` attribute: the sentence to show under "Why this home"."""
    rows = [o for o in offers if o is not None]
    wanted = [o for o in rows if o.run_id is not None]
    results: dict[tuple[int | None, int], AllocationResult] = {
        (r.run_id, r.household_id): r
        for r in AllocationResult.objects.filter(
            run_id__in={o.run_id for o in wanted},
            household_id__in={o.household_id for o in wanted},
        ).select_related("run")
    }
    found = list(results.values())
    for r, text in zip(found, allocation_reasons.explain(found), strict=True):
        r.why = text  # type: ignore[attr-defined]
    for o in rows:
        o.why = _why(o, results.get((o.run_id, o.household_id)))  # type: ignore[attr-defined]


def _why(offer: Offer, result: AllocationResult | None) -> str:
    if offer.reasons:
        return rendered(offer.reasons)
    if offer.reason in STORED_MSGIDS:
        return gettext(offer.reason)
    if result is None:
        return offer.reason
    if offer.from_reserve and result.reserve_rank is not None:
        return gettext(
            "Next on the reserve list of %(run)s (rank %(rank)d): the home suits your family's size and needs."
        ) % {"run": result.run.name, "rank": result.reserve_rank}
    if result.unit_id == offer.unit_id:
        return str(result.why)  # type: ignore[attr-defined]
    return offer.reason
