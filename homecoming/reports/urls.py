from django.urls import path

from homecoming.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.reports, name="reports"),
    path("<int:pk>.pdf", views.download, name="download"),
]
