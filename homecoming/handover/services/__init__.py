"""Writes of the handover: offers, answers, reserve list, swaps, appeals, convoys, keys.

Each do_* runs in one transaction and trusts its input; refusals that depend on the state
of the database (a home already taken, an offer already answered) raise `Conflict`, which
the API turns into 409 and the pages into a message.

Locks are always taken in the same order, offer -> unit -> household, so that two
transactions never wait for each other in a circle. On PostgreSQL `select_for_update`
serialises writers on one row; on SQLite the IMMEDIATE transaction mode serialises all
writers. The partial unique constraints on `Offer` and the unit's one-to-one link are the
last guard when code forgets.

Split by what they do (one module each); every name is re-exported here, so callers write
``from homecoming.handover import services`` and ``services.do_accept_offer``.
"""

from homecoming.handover.services.appeals import (
    do_decide_appeal as do_decide_appeal,
)
from homecoming.handover.services.appeals import (
    do_file_appeal as do_file_appeal,
)
from homecoming.handover.services.common import (
    WAITING as WAITING,
)
from homecoming.handover.services.common import (
    Conflict as Conflict,
)
from homecoming.handover.services.common import (
    HandoverError as HandoverError,
)
from homecoming.handover.services.common import (
    NotReady as NotReady,
)
from homecoming.handover.services.common import (
    User as User,
)
from homecoming.handover.services.common import (
    _may as _may,
)
from homecoming.handover.services.common import (
    _move as _move,
)
from homecoming.handover.services.common import (
    _offer_message as _offer_message,
)
from homecoming.handover.services.common import (
    _role as _role,
)
from homecoming.handover.services.common import (
    _set_household as _set_household,
)
from homecoming.handover.services.common import (
    _set_unit as _set_unit,
)
from homecoming.handover.services.common import (
    _who as _who,
)
from homecoming.handover.services.common import (
    all_or_none as all_or_none,
)
from homecoming.handover.services.common import (
    check_home_ready as check_home_ready,
)
from homecoming.handover.services.common import (
    default_deadline as default_deadline,
)
from homecoming.handover.services.common import (
    family_url as family_url,
)
from homecoming.handover.services.common import (
    home_blockers as home_blockers,
)
from homecoming.handover.services.common import (
    named as named,
)
from homecoming.handover.services.common import (
    readiness_blockers as readiness_blockers,
)
from homecoming.handover.services.convoys import (
    bus_candidates as bus_candidates,
)
from homecoming.handover.services.convoys import (
    do_assign_many_to_bus as do_assign_many_to_bus,
)
from homecoming.handover.services.convoys import (
    do_assign_to_bus as do_assign_to_bus,
)
from homecoming.handover.services.convoys import (
    do_change_ceremony as do_change_ceremony,
)
from homecoming.handover.services.convoys import (
    do_change_convoy as do_change_convoy,
)
from homecoming.handover.services.convoys import (
    home_of as home_of,
)
from homecoming.handover.services.keys import (
    ceremony_candidates as ceremony_candidates,
)
from homecoming.handover.services.keys import (
    ceremony_day as ceremony_day,
)
from homecoming.handover.services.keys import (
    check_ceremony_day as check_ceremony_day,
)
from homecoming.handover.services.keys import (
    do_hand_keys as do_hand_keys,
)
from homecoming.handover.services.keys import (
    do_invite as do_invite,
)
from homecoming.handover.services.keys import (
    do_invite_many as do_invite_many,
)
from homecoming.handover.services.keys import (
    do_move_in as do_move_in,
)
from homecoming.handover.services.keys import (
    do_move_out as do_move_out,
)
from homecoming.handover.services.offers import (
    _lock_offer as _lock_offer,
)
from homecoming.handover.services.offers import (
    _release as _release,
)
from homecoming.handover.services.offers import (
    do_accept_offer as do_accept_offer,
)
from homecoming.handover.services.offers import (
    do_create_offers as do_create_offers,
)
from homecoming.handover.services.offers import (
    do_decline_offer as do_decline_offer,
)
from homecoming.handover.services.offers import (
    do_expire_offers as do_expire_offers,
)
from homecoming.handover.services.offers import (
    do_make_offer as do_make_offer,
)
from homecoming.handover.services.offers import (
    do_make_offers as do_make_offers,
)
from homecoming.handover.services.offers import (
    do_remind_deadlines as do_remind_deadlines,
)
from homecoming.handover.services.offers import (
    do_start_deadlines as do_start_deadlines,
)
from homecoming.handover.services.offers import (
    do_withdraw_offer as do_withdraw_offer,
)
from homecoming.handover.services.offers import (
    expire_offers_job as expire_offers_job,
)
from homecoming.handover.services.offers import (
    make_offers_on_approval as make_offers_on_approval,
)
from homecoming.handover.services.offers import (
    offer_candidates as offer_candidates,
)
from homecoming.handover.services.offers import (
    offer_next_on_reserve as offer_next_on_reserve,
)
from homecoming.handover.services.offers import (
    reserve_ranks as reserve_ranks,
)
from homecoming.handover.services.swaps import (
    _execute_swap as _execute_swap,
)
from homecoming.handover.services.swaps import (
    do_consent_swap as do_consent_swap,
)
from homecoming.handover.services.swaps import (
    do_propose_swap as do_propose_swap,
)
