"""What later stages of the programme hook into (they are built on allocation, so allocation
cannot import them)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent inside the approval's transaction, before the run is marked approved, with `run` and
#: `user`. The handover makes each housed family's offer here; a receiver that raises
#: ApprovalError refuses the approval and the whole transaction rolls back.
run_approved = Signal()
