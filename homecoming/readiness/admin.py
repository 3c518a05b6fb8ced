from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from homecoming.core.admin import ArchiveOnlyAdmin, ArchiveOnlyInline
from homecoming.readiness.models import (
    Evidence,
    HazardArea,
    ItemKind,
    ReadinessItem,
    ReadinessPolicy,
    School,
    Stage,
)


@admin.register(ItemKind)
class ItemKindAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "scope", "order", "active"]
    list_editable = ["order", "active"]


def _download(url: str, label: object) -> str:
    return format_html('<a href="{}" download>{}</a>', url, label)


class EvidenceInline(ArchiveOnlyInline):  # type: ignore[type-arg]
    """Documents are linked to the permission-checked download, never to MEDIA_URL."""

    model = Evidence
    extra = 0
    fields = ["title", "document", "uploaded_by", "uploaded_at"]
    readonly_fields = ["document", "uploaded_at"]

    @admin.display(description=_("document"))
    def document(self, obj: Evidence) -> str:
        if not obj.pk:
            return "-"
        return _download(reverse("readiness:evidence", args=[obj.pk]), _("download"))


class AuditedElsewhere:
    """Read-only in the admin: these records change only through the readiness pages and
    the API, which write the audit trail (who, when, from what to what)."""

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ReadinessItem)
class ReadinessItemAdmin(AuditedElsewhere, ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = ["kind", "settlement", "complex", "status", "planned_end", "actual_end"]
    list_filter = ["status", "kind"]
    list_select_related = ["kind", "settlement", "complex"]
    inlines = [EvidenceInline]


@admin.register(ReadinessPolicy)
class ReadinessPolicyAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = ["name", "district", "stage", "hazard_buffer_m", "active"]
    filter_horizontal = ["required"]


@admin.register(HazardArea)
class HazardAreaAdmin(AuditedElsewhere, ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "district", "status", "released_on"]
    list_filter = ["status", "district"]
    exclude = ["certificate"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat", "handover_certificate"]

    @admin.display(description=_("handover certificate"))
    def handover_certificate(self, obj: HazardArea) -> str:
        if not obj.certificate:
            return "-"
        return _download(reverse("readiness:hazard_certificate", args=[obj.code]), _("download"))


@admin.register(School)
class SchoolAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = [
        "name",
        "kind",
        "settlement",
        "permanent_capacity",
        "permanent_opens_on",
        "modular_capacity",
    ]
    filter_horizontal = ["catchment"]


@admin.register(Stage)
class StageAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = [
        "__str__",
        "settlement",
        "number",
        "starts_on",
        "ends_on",
        "target_families",
        "target_persons",
    ]
    filter_horizontal = ["complexes"]
