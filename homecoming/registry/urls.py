"""Registry intake pages, under /registry/ (namespace "registry")."""

from django.urls import path

from homecoming.registry import erasure_views
from homecoming.registry import intake_views as views

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
