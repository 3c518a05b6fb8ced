"""The handover's records of a family, erased with it (registry.erasure.TRACE_ERASERS).

Offers, homes, invitations, passengers and occupancies stay as they are: they are the
allocation history. What the family wrote goes (an appeal's text, why it declined an offer);
staff's reasons and decisions stay, as they explain each status. The outbox keeps that a
family was told, and when, without the text or the number; sign-in codes are deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homecoming.handover.messaging import MAX_ATTEMPTS
from homecoming.handover.models import Appeal, Message, MessageStatus, Offer, OneTimeCode

if TYPE_CHECKING:
    from homecoming.registry.erasure import ErasureWork


def erase_traces(work: ErasureWork) -> None:
    household = work.household
    for appeal in Appeal.objects.filter(household=household).exclude(text=""):
        text = work.text(appeal.text)
        if text != appeal.text:
            Appeal.objects.filter(pk=appeal.pk).update(text=text)
            work.counts["appeals"] += 1
        work.scrub(Appeal._meta.db_table, appeal.pk, {"text"}, work.text_needles)
    for offer in Offer.objects.filter(household=household).exclude(decline_reason=""):
        reason = work.text(offer.decline_reason)
        if reason != offer.decline_reason:
            Offer.objects.filter(pk=offer.pk).update(decline_reason=reason)
            work.counts["offers declined with a reason"] += 1
        work.scrub(Offer._meta.db_table, offer.pk, {"decline_reason"}, work.text_needles)
    if not work.whole_family:
        return  # a member's erasure: the outbox and codes name the family, not them
    messages = Message.objects.filter(household=household)
    # Not sent yet: never sent now (there is no number to send to).
    messages.filter(status=MessageStatus.QUEUED).update(
        status=MessageStatus.FAILED, attempts=MAX_ATTEMPTS
    )
    messages.filter(status=MessageStatus.FAILED).update(attempts=MAX_ATTEMPTS)
    work.counts["messages"] += messages.exclude(body="", subject="", to="").update(
        body="", subject="", to="", error=""
    )
    work.counts["sign-in codes"] += OneTimeCode.objects.filter(household=household).delete()[0]
