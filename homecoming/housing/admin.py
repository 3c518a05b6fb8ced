from django.contrib import admin

from homecoming.core.admin import ArchiveOnlyAdmin
from homecoming.housing.models import Building, ResidentialComplex, Unit


@admin.register(ResidentialComplex)
class ComplexAdmin(ArchiveOnlyAdmin[ResidentialComplex]):
    list_display = [
        "code",
        "name",
        "settlement",
        "stage",
        "planned_completion",
        "actual_completion",
    ]
    list_filter = ["stage"]
    search_fields = ["code", "name"]


@admin.register(Building)
class BuildingAdmin(ArchiveOnlyAdmin[Building]):
    list_display = ["code", "complex", "kind", "phase", "floors", "has_lift"]
    list_filter = ["kind", "phase", "complex"]


@admin.register(Unit)
class UnitAdmin(ArchiveOnlyAdmin[Unit]):
    list_display = ["__str__", "rooms", "floor", "step_free", "construction", "status", "household"]
    list_filter = ["construction", "status", "rooms", "step_free"]
    raw_id_fields = ["building", "household"]
