from django.urls import path

from homecoming.readiness import views

app_name = "readiness"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("evidence/<int:pk>/download/", views.evidence_download, name="evidence"),
    path("timeline/", views.timeline, name="timeline"),
    path("map/", views.hazard_map, name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("hazards/<str:code>/status/", views.hazard_status, name="hazard_status"),
    path("hazards/<str:code>/certificate/", views.hazard_certificate, name="hazard_certificate"),
    path("schools/", views.schools, name="schools"),
    path("stages/", views.stages, name="stages"),
    path("changes/", views.changes, name="changes"),
]
