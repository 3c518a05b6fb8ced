from django.urls import path

from homecoming.network import views

app_name = "network"

urlpatterns = [
    path("", views.index, name="index"),
    path("edges/", views.edges, name="edges"),
    path("edges/new/", views.edge_edit, name="edge_new"),
    path("edges/<str:edge_id>/edit/", views.edge_edit, name="edge_edit"),
    path("nodes/new/", views.node_edit, name="node_new"),
    path("nodes/<str:node_id>/edit/", views.node_edit, name="node_edit"),
    path("map/data/", views.map_data, name="map_data"),
    path("<str:code>/", views.settlement, name="settlement"),
]
