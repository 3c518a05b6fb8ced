"""Appeals: a family contests its offer; an officer decides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from homecoming.handover.lifecycles import APPEAL
from homecoming.handover.models import (
    Appeal,
    AppealStatus,
    Offer,
)
from homecoming.handover.services.common import Conflict, User, _may, _who
from homecoming.registry.models import Household


@transaction.atomic
def do_file_appeal(
    household: Household,
    kind: str,
    text: str,
    *,
    offer: Offer | None = None,
    user: User = None,
    actor: str = "",
) -> Appeal:
    _by, who = _who(user, actor)
    return Appeal.objects.create(
        household=household, offer=offer, kind=kind, text=text, created_by=who
    )


@transaction.atomic
def do_decide_appeal(appeal: Appeal, status: str, decision: str, *, user: User) -> Appeal:
    _may(APPEAL, "decide_appeal", user)
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(gettext("This appeal is already decided."))
    appeal.status = status
    appeal.decision = decision
    appeal.decided_at = timezone.now()
    appeal.decided_by = _who(user)[0]
    appeal.save()
    return appeal
