from django.urls import path

from homecoming.core import audit_views, views

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("jobs/<uuid:pk>/", views.job_detail, name="job"),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.<str:fmt>", audit_views.audit_export, name="audit-export"),
    path("audit/reads/", audit_views.access_list, name="audit-reads"),
    path("audit/reads/export.<str:fmt>", audit_views.access_export, name="audit-reads-export"),
]
