from django.urls import path

from homecoming.opendata import views

app_name = "opendata"

urlpatterns = [
    path("opendata/", views.exports, name="exports"),
    path("opendata/places.geojson", views.places, name="places"),
    path("opendata/<str:level>.<str:fmt>", views.export, name="export"),
    path("statistics/", views.statistics, name="statistics"),
]
