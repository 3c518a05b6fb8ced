from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from homecoming.accounts.urls import signin_patterns
from homecoming.allocation.api import AllocationRunViewSet
from homecoming.geography.api import AreaViewSet, SettlementViewSet
from homecoming.handover import api as handover_api
from homecoming.handover.urls import family_patterns, officer_patterns
from homecoming.housing.api import BuildingViewSet, ComplexViewSet, UnitViewSet
from homecoming.network import api as network_api
from homecoming.opendata import api as opendata_api
from homecoming.readiness.api import HazardViewSet, ItemViewSet, SchoolViewSet, StageViewSet
from homecoming.registry.api import GroupViewSet, HouseholdViewSet, PersonViewSet
from homecoming.registry.urls import household_patterns

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
router.register("readiness-items", ItemViewSet, basename="readiness-item")
router.register("hazard-areas", HazardViewSet, basename="hazard-area")
router.register("schools", SchoolViewSet, basename="school")
router.register("stages", StageViewSet, basename="stage")
router.register("offers", handover_api.OfferViewSet, basename="offer")
router.register("swaps", handover_api.SwapViewSet, basename="swap")
router.register("appeals", handover_api.AppealViewSet, basename="appeal")
router.register("pickup-points", handover_api.PickupPointViewSet, basename="pickup-point")
router.register("convoys", handover_api.ConvoyViewSet, basename="convoy")
router.register("buses", handover_api.BusViewSet, basename="bus")
router.register("ceremonies", handover_api.CeremonyViewSet, basename="ceremony")
router.register("occupancies", handover_api.OccupancyViewSet, basename="occupancy")
router.register("messages", handover_api.MessageViewSet, basename="message")
router.register("transitions", handover_api.TransitionViewSet, basename="transition")
router.register("network-nodes", network_api.NodeViewSet, basename="network-node")
router.register("network-edges", network_api.EdgeViewSet, basename="network-edge")
router.register("accessibility", network_api.AccessibilityViewSet, basename="accessibility")
router.register("aggregates", opendata_api.AggregateViewSet, basename="aggregate")
router.register("places", opendata_api.PlaceViewSet, basename="place")
router.register(
    "public-statistics", opendata_api.PublicStatisticsViewSet, basename="public-statistic"
)

urlpatterns = [
    path("", include("homecoming.dashboard.urls")),
    path("", include(signin_patterns)),
    path("account/", include("homecoming.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("homecoming.core.urls")),
    path("households/", include(household_patterns)),
    path("registry/", include("homecoming.registry.urls")),
    path("housing/", include("homecoming.housing.urls")),
    path("allocation/", include("homecoming.allocation.urls")),
    path("readiness/", include("homecoming.readiness.urls")),
    path("handover/", include(officer_patterns)),
    path("family/", include(family_patterns)),
    path("network/", include("homecoming.network.urls")),
    path("", include("homecoming.opendata.urls")),
    path("reports/", include("homecoming.reports.urls")),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
]

handler400 = "homecoming.core.middleware.bad_request"
handler404 = "homecoming.core.middleware.not_found"
handler500 = "homecoming.core.middleware.server_error"
