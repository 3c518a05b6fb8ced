from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from homecoming.core.admin import ArchiveOnlyAdmin
from homecoming.reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ArchiveOnlyAdmin[MonthlyReport]):
    """Read-only: a kept report is never changed (the database refuses it anyway); it is
    generated from the reports page or on schedule, and downloaded there (recorded)."""

    list_display = ["month", "district", "language", "version", "source", "created_at", "size"]
    list_filter = ["language", "source"]
    exclude = ["pdf"]  # the bytes: download them from the reports page, where it is recorded
    readonly_fields = [f.name for f in MonthlyReport._meta.fields if f.name != "pdf"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
