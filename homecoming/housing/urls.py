from django.urls import path

from homecoming.housing import views

urlpatterns = [
    path("", views.housing_tree, name="housing"),
    path("<str:code>/", views.complex_detail, name="complex"),
]
