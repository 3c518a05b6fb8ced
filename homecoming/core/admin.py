"""The admin's shared rules: nothing is deleted, and a status changes only by its actions."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from homecoming.core.lifecycle import lifecycles_of
from homecoming.core.models import AuditEvent, Job

_M = TypeVar("_M", bound=models.Model)


class ArchiveOnlyAdmin(admin.ModelAdmin[_M]):
    """Every model admin of the project derives from this.

    Records are withdrawn or archived through named actions, never deleted (no delete button,
    no "delete selected" action), and a status named in a lifecycle table is read-only here:
    it changes only through the actions that check the table.
    """

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        for life in lifecycles_of(self.model._meta.label):
            if life.field not in fields:
                fields.append(life.field)
        return fields


class ArchiveOnlyInline(admin.TabularInline[_M, Any]):
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(ArchiveOnlyAdmin[Job]):
    list_display = ["title", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(AuditEvent)
class AuditEventAdmin(ArchiveOnlyAdmin[AuditEvent]):
    """Read-only: the trail is written by the database and refuses changes anyway."""

    list_display = ["at", "table", "object_pk", "action", "actor", "channel", "ip"]
    list_filter = ["action", "channel", "table"]
    search_fields = ["object_pk", "actor", "path", "request_id"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
