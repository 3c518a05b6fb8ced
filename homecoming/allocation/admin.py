from django.contrib import admin

from homecoming.allocation.models import AllocationResult, AllocationRun
from homecoming.core.admin import ArchiveOnlyAdmin


@admin.register(AllocationRun)
class RunAdmin(ArchiveOnlyAdmin[AllocationRun]):
    list_display = ["name", "method", "status", "district", "created_at", "approved_at"]
    list_filter = ["status", "method"]
    # Runs are evidence: inputs, seed and results are never edited by hand.
    readonly_fields = [f.name for f in AllocationRun._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(AllocationResult)
class ResultAdmin(ArchiveOnlyAdmin[AllocationResult]):
    list_display = ["run", "household", "unit", "reserve_rank", "reason"]
    list_filter = ["run"]
    readonly_fields = ["run", "household", "unit", "reason", "reserve_rank"]
