"""Lifecycles of the registry: households, imports, duplicate pairs."""

from __future__ import annotations

from homecoming.accounts.lifecycles import (
    ADMIN,
    ANSWERERS,
    EDITORS,
    EDITORS_AND_SYSTEM,
    OFFICERS,
    OFFICERS_AND_SYSTEM,
    ONLY_SYSTEM,
)
from homecoming.core.lifecycle import Lifecycle, Step, register
from homecoming.registry.models import CandidateStatus, HouseholdStatus, ImportStatus

H = HouseholdStatus
WAITING = (H.REGISTERED.value, H.ELIGIBLE.value)

HOUSEHOLD = Lifecycle(
    "registry.Household",
    states=H.choices,
    initial=(*WAITING, H.WITHDRAWN.value),
    note="A family's place in the programme. Imports bring families in waiting or withdrawn.",
    steps=(
        Step("mark_eligible", (H.REGISTERED,), (H.ELIGIBLE,), EDITORS_AND_SYSTEM),
        Step("mark_registered", (H.ELIGIBLE,), (H.REGISTERED,), EDITORS_AND_SYSTEM),
        Step(
            "offer_home",
            WAITING,
            (H.OFFERED,),
            OFFICERS_AND_SYSTEM,
            "the reserve list offers by itself",
        ),
        Step("accept_offer", (H.OFFERED,), (H.ALLOCATED,), ANSWERERS),
        Step(
            "release_offer",
            (H.OFFERED, H.ALLOCATED),
            (H.ELIGIBLE,),
            ANSWERERS | OFFICERS_AND_SYSTEM,
            "declined, expired or withdrawn",
        ),
        Step("hand_keys", (H.ALLOCATED,), (H.KEYS_HANDED,), OFFICERS),
        Step("move_in", (H.KEYS_HANDED,), (H.MOVED_IN,), OFFICERS),
        Step("move_out", (H.MOVED_IN,), (H.ELIGIBLE, H.WITHDRAWN), OFFICERS),
        Step("withdraw", WAITING, (H.WITHDRAWN,), EDITORS, "archived with a reason"),
        Step("reinstate", (H.WITHDRAWN,), (H.REGISTERED,), ADMIN),
    ),
)

IMPORT = Lifecycle(
    "registry.RegistryImport",
    states=ImportStatus.choices,
    initial=(ImportStatus.PENDING.value,),
    steps=(
        Step(
            "finish_import",
            (ImportStatus.PENDING,),
            (
                ImportStatus.REJECTED,
                ImportStatus.IMPORTED,
                ImportStatus.PARTIAL,
                ImportStatus.UNCHANGED,
                ImportStatus.FAILED,
            ),
            ONLY_SYSTEM,
        ),
    ),
)

CANDIDATE = Lifecycle(
    "registry.DuplicateCandidate",
    states=CandidateStatus.choices,
    initial=(CandidateStatus.OPEN.value,),
    steps=(
        Step("merge", (CandidateStatus.OPEN,), (CandidateStatus.MERGED,), EDITORS),
        Step("mark_different", (CandidateStatus.OPEN,), (CandidateStatus.DIFFERENT,), EDITORS),
    ),
)

register(HOUSEHOLD, IMPORT, CANDIDATE)
