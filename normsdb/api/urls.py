from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from instruments import api as instruments_api
from normsdb.search.views import ResolveView, SearchView
from obligations import api as obligations_api

from .deletions import DeletionsView

router = DefaultRouter()
router.register("instruments", instruments_api.InstrumentViewSet, basename="instrument")
router.register("provisions", instruments_api.ProvisionViewSet, basename="provision")
router.register("norms", obligations_api.NormViewSet, basename="norm")
router.register("obligations", obligations_api.ObligationViewSet, basename="obligation")
router.register(
    "response-measures", obligations_api.ResponseMeasureViewSet, basename="response-measure"
)
router.register("topics", obligations_api.TopicViewSet, basename="topic")
router.register("states", instruments_api.StateViewSet, basename="state")
router.register("organizations", instruments_api.OrganizationViewSet, basename="organization")
router.register("participations", instruments_api.ParticipationViewSet, basename="participation")
router.register("incidents", obligations_api.IncidentViewSet, basename="incident")
router.register("attributions", obligations_api.AttributionViewSet, basename="attribution")
router.register(
    "response-actions", obligations_api.ResponseActionViewSet, basename="response-action"
)
router.register("memberships", instruments_api.MembershipViewSet, basename="membership")
router.register("votes", instruments_api.VoteViewSet, basename="vote")
router.register("legal-questions", obligations_api.LegalQuestionViewSet, basename="legal-question")
router.register("stances", obligations_api.StanceViewSet, basename="stance")

docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

app_name = "api"
urlpatterns = [
    path("v1/search/", SearchView.as_view(), name="search"),
    path("v1/deletions/", DeletionsView.as_view(), name="deletions"),
    path("v1/resolve/", ResolveView.as_view(), name="resolve"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, which the site's
    # script-src allows; both UIs set inline styles and Redoc searches in a blob: worker,
    # allowed on these two pages only.
    path(
        "docs/",
        docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("redoc/", docs_csp(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
]
