from django.contrib import admin

from homecoming.core.admin import ArchiveOnlyAdmin
from homecoming.network.models import Edge, Node


@admin.register(Node)
class NodeAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = ["node_id", "name", "kind", "role", "area", "lat", "lon"]
    list_filter = ["kind", "role"]
    search_fields = ["node_id", "name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]


@admin.register(Edge)
class EdgeAdmin(ArchiveOnlyAdmin):  # type: ignore[type-arg]
    list_display = [
        "edge_id",
        "name",
        "project",
        "from_node",
        "to_node",
        "mode",
        "length_km",
        "status",
        "opens_on",
        "closed_months",
    ]
    list_filter = ["mode", "status"]
    search_fields = ["edge_id", "name", "project"]
    list_select_related = ["from_node", "to_node"]
    raw_id_fields = ["from_node", "to_node"]
