"""The registry's pages: the families under /households/ (`household_patterns`, names without
a namespace: "household", "households"...), intake and duplicates under /registry/
(`urlpatterns`, namespace "registry")."""

from django.urls import path

from homecoming.registry import erasure_views
from homecoming.registry import intake_views as views
from homecoming.registry import views as family_views

app_name = "registry"
urlpatterns = [
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("imports/<int:pk>/errors.csv", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/files/<str:which>/", views.import_file, name="import_file"),
    path("xlsform/", views.xlsform, name="xlsform"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/find/", views.duplicate_find, name="duplicates_find"),
    path("duplicates/<int:pk>/", views.duplicate_detail, name="duplicate"),
    path("duplicates/<int:pk>/decide/", views.duplicate_decide, name="duplicate_decide"),
    path(
        "households/<str:reg_number>/erase/",
        erasure_views.household_erase,
        name="household-erase",
    ),
    path("persons/<int:pk>/erase/", erasure_views.person_erase, name="person-erase"),
]

household_patterns = [
    path("", family_views.household_list, name="households"),
    path("<str:reg_number>/", family_views.household_detail, name="household"),
    path("<str:reg_number>/edit/", family_views.household_edit, name="household-edit"),
    path(
        "<str:reg_number>/withdraw/",
        family_views.household_status,
        {"action": "withdraw"},
        name="household-withdrawal",
    ),
    path(
        "<str:reg_number>/reinstate/",
        family_views.household_status,
        {"action": "reinstate"},
        name="household-reinstatement",
    ),
]
