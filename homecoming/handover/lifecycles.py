"""Lifecycles of the handover: offers, swaps, appeals, outgoing messages."""

from __future__ import annotations

from homecoming.accounts.lifecycles import (
    ANSWERERS,
    EDITORS,
    OFFICERS,
    OFFICERS_AND_SYSTEM,
    ONLY_SYSTEM,
)
from homecoming.core.lifecycle import Lifecycle, Step, register
from homecoming.handover.models import (
    AppealStatus,
    CeremonyStatus,
    ConvoyStatus,
    MessageStatus,
    OfferStatus,
    SwapStatus,
)

S = OfferStatus
ACTIVE = (S.PENDING.value, S.ACCEPTED.value)

OFFER = Lifecycle(
    "handover.Offer",
    states=S.choices,
    initial=ACTIVE,
    note="A swap ends both offers and opens new ones in the state the old ones had.",
    steps=(
        Step("accept_offer", (S.PENDING,), (S.ACCEPTED,), ANSWERERS),
        Step("decline_offer", (S.PENDING,), (S.DECLINED,), ANSWERERS),
        Step("expire_offer", (S.PENDING,), (S.EXPIRED,), OFFICERS_AND_SYSTEM),
        Step("withdraw_offer", ACTIVE, (S.WITHDRAWN,), OFFICERS),
        Step("swap", ACTIVE, (S.SWAPPED,), OFFICERS),
        Step("move_out", (S.ACCEPTED,), (S.CLOSED,), OFFICERS),
    ),
)

SWAP = Lifecycle(
    "handover.Swap",
    states=SwapStatus.choices,
    initial=(SwapStatus.PROPOSED.value,),
    steps=(
        Step("consent_swap", (SwapStatus.PROPOSED,), (SwapStatus.DONE,), OFFICERS),
        Step("cancel_swap", (SwapStatus.PROPOSED,), (SwapStatus.CANCELLED,), OFFICERS),
    ),
)

APPEAL = Lifecycle(
    "handover.Appeal",
    states=AppealStatus.choices,
    initial=(AppealStatus.OPEN.value,),
    steps=(
        Step(
            "decide_appeal",
            (AppealStatus.OPEN,),
            (AppealStatus.UPHELD, AppealStatus.REJECTED),
            OFFICERS,
        ),
    ),
)

MESSAGE = Lifecycle(
    "handover.Message",
    states=MessageStatus.choices,
    initial=(MessageStatus.QUEUED.value,),
    note="The outbox: a failed message is retried until it is sent or runs out of attempts.",
    steps=(
        Step(
            "send_message",
            (MessageStatus.QUEUED, MessageStatus.FAILED),
            (MessageStatus.SENT, MessageStatus.FAILED),
            ONLY_SYSTEM | EDITORS,
        ),
    ),
)

C = ConvoyStatus
CONVOY = Lifecycle(
    "handover.Convoy",
    states=C.choices,
    initial=(C.PLANNED.value,),
    note="Families are put on buses while the convoy is planned. A cancelled convoy keeps "
    "its buses and passengers on record, with the reason.",
    steps=(
        Step("depart_convoy", (C.PLANNED,), (C.DEPARTED,), OFFICERS),
        Step("arrive_convoy", (C.DEPARTED,), (C.ARRIVED,), OFFICERS),
        Step("cancel_convoy", (C.PLANNED,), (C.CANCELLED,), OFFICERS),
    ),
)

K = CeremonyStatus
CEREMONY = Lifecycle(
    "handover.Ceremony",
    states=K.choices,
    initial=(K.SCHEDULED.value,),
    note="Invitations while scheduled; keys are handed while scheduled or on the day it is "
    "marked held, never at a cancelled ceremony.",
    steps=(
        Step("hold_ceremony", (K.SCHEDULED,), (K.HELD,), OFFICERS),
        Step("cancel_ceremony", (K.SCHEDULED,), (K.CANCELLED,), OFFICERS),
    ),
)

register(OFFER, SWAP, APPEAL, MESSAGE, CONVOY, CEREMONY)
