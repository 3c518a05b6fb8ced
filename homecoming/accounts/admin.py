from django.contrib import admin

from homecoming.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ["user", "role", "district"]
    list_filter = ["role", "district"]
