from django.urls import path

from homecoming.dashboard import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
