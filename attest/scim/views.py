"""The SCIM endpoints (``/scim/v2/``). Each view only authenticates, parses and answers; writes
are in ``services``, reads in ``selectors``. Every refusal is a SCIM error document."""

import json
import logging
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from . import discovery, selectors, services
from .errors import ScimError, error_response, scim_response
from .resources import user_resource
from .schemas import LIST
from .tokens import rate_limited, token_authenticate

logger = logging.getLogger(__name__)

ERROR_AUTH = _("A valid bearer token is required (Authorization: Bearer …).")
ERROR_RATE = _("Too many requests with this token: wait %(seconds)s seconds.")
ERROR_JSON = _("The request body is not valid JSON.")
ERROR_TOO_LARGE = _("The request body is too large.")
ERROR_METHOD = _("%(method)s is not supported here.")
ERROR_GROUPS = _(
    "Groups are not supported: departments come from each user's enterprise department attribute, "
    "and the official team from the attribute HR configured."
)
ERROR_NOT_SUPPORTED = _("This endpoint is not supported.")
ERROR_NO_ENDPOINT = _("There is no SCIM endpoint here.")
ERROR_INTERNAL = _("The service could not complete the request. Nothing was changed.")


def _base(request) -> str:
    return request.build_absolute_uri(reverse("scim:root")).rstrip("/")


def _json(request):
    try:
        raw = request.body
    except RequestDataTooBig:
        raise ScimError(413, ERROR_TOO_LARGE, "") from None
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ScimError(400, ERROR_JSON, "invalidSyntax") from None


def scim_endpoint(methods: tuple[str, ...]):
    """Bearer token, per-token rate limit, methods, and SCIM errors for everything refused."""

    def decorate(view):
        @csrf_exempt
        @login_not_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _space, raw = header.partition(" ")
            token = token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                return error_response(ScimError(401, ERROR_AUTH), WWW_Authenticate='Bearer realm="scim"')
            wait = rate_limited(token)
            if wait:
                return error_response(ScimError(429, ERROR_RATE % {"seconds": wait}), Retry_After=str(wait))
            if request.method not in methods:
                return error_response(
                    ScimError(405, ERROR_METHOD % {"method": request.method}), Allow=", ".join(methods)
                )
            request.scim_token = token
            try:
                return view(request, *args, **kwargs)
            except ScimError as error:
                return error_response(error)
            except Exception:
                logger.exception("SCIM request failed: %s %s", request.method, request.path)
                return error_response(ScimError(500, ERROR_INTERNAL))

        return wrapper

    return decorate


def _user(request, employee, status=200):
    location = f"{_base(request)}/Users/{employee.pk}"
    resource = user_resource(employee, location)
    params = request.GET
    resource = selectors.project(
        resource,
        selectors.attribute_names(params.get("attributes")),
        selectors.attribute_names(params.get("excludedAttributes")),
    )
    headers = {"Location": location} if status == 201 else {}
    return scim_response(resource, status, **headers)


@scim_endpoint(("GET", "POST"))
def users(request):
    if request.method == "POST":
        employee = services.user_create(body=_json(request), token=request.scim_token)
        return _user(request, employee, 201)
    total, start, page = selectors.users_page(request.GET)
    base = _base(request)
    attributes = selectors.attribute_names(request.GET.get("attributes"))
    excluded = selectors.attribute_names(request.GET.get("excludedAttributes"))
    resources = [
        selectors.project(user_resource(employee, f"{base}/Users/{employee.pk}"), attributes, excluded)
        for employee in page
    ]
    return scim_response(
        {
            "schemas": [LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request, pk):
    token = request.scim_token
    if request.method == "GET":
        return _user(request, services.employee_get(pk))
    if request.method == "PUT":
        return _user(request, services.user_replace(pk=pk, body=_json(request), token=token))
    if request.method == "PATCH":
        return _user(request, services.user_patch(pk=pk, body=_json(request), token=token))
    services.user_deactivate(pk=pk, token=token)
    return scim_response(None, 204)


@scim_endpoint(("GET",))
def service_provider_config(request):
    return scim_response(discovery.service_provider_config(_base(request)))


def _listed(items: list[dict]) -> dict:
    return {
        "schemas": [LIST],
        "totalResults": len(items),
        "startIndex": 1,
        "itemsPerPage": len(items),
        "Resources": items,
    }


@scim_endpoint(("GET",))
def resource_types(request, name=None):
    items = discovery.resource_types(_base(request))
    if name is None:
        return scim_response(_listed(items))
    found = next((item for item in items if item["id"] == name), None)
    if found is None:
        raise ScimError(404, ERROR_NO_ENDPOINT)
    return scim_response(found)


@scim_endpoint(("GET",))
def schemas(request, name=None):
    items = discovery.schemas(_base(request))
    if name is None:
        return scim_response(_listed(items))
    found = next((item for item in items if item["id"].lower() == name.lower()), None)
    if found is None:
        raise ScimError(404, ERROR_NO_ENDPOINT)
    return scim_response(found)


@scim_endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def groups(request, pk=None):
    raise ScimError(501, ERROR_GROUPS)


@scim_endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def not_supported(request, **kwargs):
    raise ScimError(501, ERROR_NOT_SUPPORTED)


@scim_endpoint(("GET", "POST", "PUT", "PATCH", "DELETE"))
def no_endpoint(request, rest=""):
    raise ScimError(404, ERROR_NO_ENDPOINT)
