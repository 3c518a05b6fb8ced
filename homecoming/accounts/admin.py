from django.contrib import admin

from homecoming.accounts.models import Profile
from homecoming.core.admin import ArchiveOnlyAdmin


@admin.register(Profile)
class ProfileAdmin(ArchiveOnlyAdmin[Profile]):
    list_display = ["user", "role", "district"]
    list_filter = ["role", "district"]
