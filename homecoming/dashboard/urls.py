from django.urls import path

from homecoming.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/map/data/", views.map_data, name="dashboard-map-data"),
]
