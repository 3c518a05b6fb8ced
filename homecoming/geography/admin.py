from django.contrib import admin

from homecoming.core.admin import ArchiveOnlyAdmin
from homecoming.geography.models import Area


@admin.register(Area)
class AreaAdmin(ArchiveOnlyAdmin[Area]):
    list_display = ["code", "name_en", "name_az", "name_ru", "level", "kind", "parent"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name_en", "name_az", "name_ru"]
    raw_id_fields = ["parent"]
