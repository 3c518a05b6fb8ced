from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from homecoming.allocation import views as allocation_views
from homecoming.allocation.api import AllocationRunViewSet
from homecoming.core import views as core_views
from homecoming.geography.api import AreaViewSet, SettlementViewSet
from homecoming.housing import views as housing_views
from homecoming.housing.api import BuildingViewSet, ComplexViewSet, UnitViewSet
from homecoming.registry import views as registry_views
from homecoming.registry.api import GroupViewSet, HouseholdViewSet, PersonViewSet

router = DefaultRouter()
router.register("areas", AreaViewSet, basename="area")
router.register("settlements", SettlementViewSet, basename="settlement")
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("groups", GroupViewSet, basename="group")
router.register("complexes", ComplexViewSet, basename="complex")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("allocation-runs", AllocationRunViewSet, basename="allocation-run")

allocation_patterns = (
    [
        path("", allocation_views.run_list, name="runs"),
        path("new/", allocation_views.run_new, name="new"),
        path("<int:pk>/", allocation_views.run_detail, name="run"),
        path("<int:pk>/approve/", allocation_views.run_approve, name="approve"),
        path("<int:pk>/files/<str:name>", allocation_views.run_file, name="file"),
    ],
    "allocation",
)

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/<uuid:pk>/", core_views.job_detail, name="job"),
    path("households/", registry_views.household_list, name="households"),
    path("households/<str:reg_number>/", registry_views.household_detail, name="household"),
    path("housing/", housing_views.housing_tree, name="housing"),
    path("housing/<str:code>/", housing_views.complex_detail, name="complex"),
    path("allocation/", include(allocation_patterns)),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/token/", obtain_auth_token, name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
]
