from django.contrib import admin

from homecoming.core.admin import ArchiveOnlyAdmin, ArchiveOnlyInline
from homecoming.registry.models import Group, Household, Person


class PersonInline(ArchiveOnlyInline[Person]):
    model = Person
    extra = 0


@admin.register(Household)
class HouseholdAdmin(ArchiveOnlyAdmin[Household]):
    list_display = ["reg_number", "origin", "shelter_kind", "priority", "status", "group"]
    list_filter = ["status", "shelter_kind", "priority", "district"]
    search_fields = ["reg_number", "members__surname", "members__national_id"]
    raw_id_fields = ["origin", "destination", "group"]
    inlines = [PersonInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.district_id = obj.origin.parent_id
        super().save_model(request, obj, form, change)


@admin.register(Person)
class PersonAdmin(ArchiveOnlyAdmin[Person]):
    list_display = ["surname", "given_name", "patronymic", "sex", "birth_date", "household"]
    search_fields = ["surname", "given_name", "national_id"]
    raw_id_fields = ["household"]


@admin.register(Group)
class GroupAdmin(ArchiveOnlyAdmin[Group]):
    list_display = ["code", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
