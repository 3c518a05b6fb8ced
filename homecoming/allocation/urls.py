from django.urls import path

from homecoming.allocation import views

app_name = "allocation"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("new/", views.run_new, name="new"),
    path("plan/", views.programme_plan, name="plan"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/approve/", views.run_approve, name="approve"),
    path("<int:pk>/files/<str:name>", views.run_file, name="file"),
]
