"""The API's endpoints, all read-only. Each view names the scope it needs; the token's scope
(everyone, or a manager's line) is applied in ``get_queryset`` through the same selectors as
``/team/``, and the compliance figures come from ``reports.dashboard`` with the dashboard's own
filter form, so the API and the dashboard cannot disagree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.http import JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from training.models import PolicyVersion, PolicyVersionLocale

from .. import reports
from ..forms.reports import ReportFilterForm
from ..hierarchy import in_line
from ..models import Assignment, Attestation, EmployeeStatus, Requirement
from .auth import ApiTokenAuthentication, ApiTokenThrottle, HasScope, token_scope
from .figures import compliance_figures
from .models import ApiScope
from .pagination import StableCursorPagination
from .serializers import (
    AttestationSerializer,
    ComplianceSerializer,
    ErrorSerializer,
    PersonSerializer,
    PolicyVersionSerializer,
    RequirementSerializer,
)


def _errors(*codes: int) -> dict:
    described = {
        400: OpenApiResponse(OpenApiTypes.OBJECT, description="A filter is invalid: field name → messages."),
        401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown or revoked one."),
        403: OpenApiResponse(ErrorSerializer, description="The token lacks the scope this endpoint needs."),
        404: OpenApiResponse(ErrorSerializer, description="Not found, not in the token's reach, or a bad cursor."),
        429: OpenApiResponse(ErrorSerializer, description="Too many requests: wait for Retry-After seconds."),
    }
    return {code: described[code] for code in codes}


LIST_ERRORS = _errors(400, 401, 403, 404, 429)
DETAIL_ERRORS = _errors(401, 403, 404, 429)


def _valid(serializer_class, request) -> dict:
    checked = serializer_class(data=request.query_params)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


class ApiEndpoint:
    """Bearer tokens only (never a session, so no CSRF surface), the view's ``required_scope``,
    a rate per token, JSON only, never cached. Token calls are never sent to the sign-in page
    (``LoginRequiredMiddleware``)."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiTokenThrottle]
    pagination_class = StableCursorPagination
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    required_scope: str = ""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"  # personal data: no shared or disk cache keeps it
        return response


class ReadOnlyViewSet(ApiEndpoint, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = "[0-9]+"


class PeopleFilters(serializers.Serializer):
    department = serializers.CharField(required=False, max_length=150)
    location = serializers.CharField(required=False, max_length=150)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, required=False)


@extend_schema_view(
    list=extend_schema(
        summary="People in the token's reach, with their assignments",
        parameters=[PeopleFilters],
        responses={200: PersonSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One person, by employee id", responses={200: PersonSerializer, **DETAIL_ERRORS}),
)
class PeopleViewSet(ReadOnlyViewSet):
    """Employees from the HR roster, each with every assignment and its status today. A manager's
    token sees their direct and indirect reports; an HR token everyone. Needs `people:read`."""

    required_scope = ApiScope.PEOPLE
    serializer_class = PersonSerializer
    lookup_field = "employee_id"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        scope = token_scope(self.request.auth)
        people = reports.employees_in_scope(scope)
        if self.action == "list":
            wanted = _valid(PeopleFilters, self.request)
            people = people.filter(**wanted)
        assignments = Assignment.objects.with_status().select_related("requirement", "version__policy")
        return people.select_related("manager").prefetch_related(
            Prefetch("assignments", queryset=assignments.order_by("due_on", "id"))
        )


@extend_schema_view(
    list=extend_schema(summary="Requirements", responses={200: RequirementSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(summary="One requirement", responses={200: RequirementSerializer, **DETAIL_ERRORS}),
)
class RequirementViewSet(ReadOnlyViewSet):
    """Who must complete which policy by when. Needs `requirements:read`."""

    required_scope = ApiScope.REQUIREMENTS
    serializer_class = RequirementSerializer
    queryset = Requirement.objects.select_related("policy")


@extend_schema_view(
    list=extend_schema(
        summary="Released policy versions, with each language's text hash",
        responses={200: PolicyVersionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One policy version", responses={200: PolicyVersionSerializer, **DETAIL_ERRORS}),
)
class PolicyVersionViewSet(ReadOnlyViewSet):
    """Released versions of each policy, never changed after release, with the SHA-256 of each
    language's text (`hash_scheme` 1: block ids included; 2: canonical). Needs `versions:read`."""

    required_scope = ApiScope.VERSIONS
    serializer_class = PolicyVersionSerializer
    queryset = PolicyVersion.objects.select_related("policy").prefetch_related(
        Prefetch("locales", queryset=PolicyVersionLocale.objects.select_related("locale").order_by("locale_id"))
    )


class AttestationFilters(serializers.Serializer):
    employee = serializers.CharField(required=False, max_length=64, help_text="An employee id.")
    version = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="A version id.")


@extend_schema_view(
    list=extend_schema(
        summary="Attestations of the people in the token's reach (never quiz answers)",
        parameters=[AttestationFilters],
        responses={200: AttestationSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(summary="One attestation", responses={200: AttestationSerializer, **DETAIL_ERRORS}),
)
class AttestationViewSet(ReadOnlyViewSet):
    """Signed records: who signed which version, in which language, the hash of the text signed,
    how their identity was confirmed, when, and the record's place in the hash chain. Quiz
    answers are never included. Scoped like `/people/`. Needs `attestations:read`."""

    required_scope = ApiScope.ATTESTATIONS
    serializer_class = AttestationSerializer
    queryset = Attestation.objects.none()  # the model, for the schema; get_queryset applies the scope

    def get_queryset(self):
        records = Attestation.objects.select_related("policy")
        scope = token_scope(self.request.auth)
        if scope.line_path is not None:
            records = records.filter(in_line(scope.line_path, "employee__managers_path"))
        if self.action == "list":
            wanted = _valid(AttestationFilters, self.request)
            if "employee" in wanted:
                records = records.filter(employee__employee_id=wanted["employee"])
            if "version" in wanted:
                records = records.filter(version_id=wanted["version"])
        return records


COMPLIANCE_PARAMETERS = [
    OpenApiParameter("policy", str, description="A policy's slug."),
    OpenApiParameter("requirement", int, description="A requirement's id."),
    OpenApiParameter("department", str),
    OpenApiParameter("location", str),
    OpenApiParameter("due_from", OpenApiTypes.DATE, description="Assignments due on or after this day."),
    OpenApiParameter("due_to", OpenApiTypes.DATE, description="Assignments due on or before this day."),
    OpenApiParameter("as_of", OpenApiTypes.DATE, description="Figures as they stood at the end of this day."),
]


class ComplianceView(ApiEndpoint, APIView):
    """The HR dashboard's figures with its filters: headline, breakdowns by department,
    location, manager, requirement, version and language, and the weekly trend. A manager's token
    gets their line's figures, as on `/team/`. Needs `reports:read`."""

    required_scope = ApiScope.REPORTS

    @extend_schema(
        summary="Compliance figures, as on the HR dashboard",
        parameters=COMPLIANCE_PARAMETERS,
        responses={200: ComplianceSerializer, **_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        token = request.auth
        scope = token_scope(token)
        choices = reports.filter_choices(scope=scope)
        form = ReportFilterForm(request.query_params, choices=choices)
        if not form.is_valid():
            raise ValidationError({field: [str(error) for error in errors] for field, errors in form.errors.items()})
        filters = form.report_filters(scope=scope)
        return Response(compliance_figures(filters, choices=choices, token=token))


@login_not_required
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


class Public:
    """The schema and its documentation hold no data: anyone may read them."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return login_not_required(super().as_view(*args, **kwargs))


class SchemaView(Public, SpectacularAPIView):
    pass


class DocsView(Public, SpectacularSwaggerSplitView):
    template_name = "attest/api/swagger_ui.html"
