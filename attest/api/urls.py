"""``/api/v1/``: the resources, the OpenAPI 3 schema and its browsable documentation (served
from the product's own static files, never a CDN)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("people", views.PeopleViewSet, basename="person")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("policy-versions", views.PolicyVersionViewSet, basename="policy-version")
router.register("attestations", views.AttestationViewSet, basename="attestation")

urlpatterns = [
    *router.urls,
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", views.not_found),  # anything else under /api/v1/ gets the API's JSON 404, not the site's page
]
