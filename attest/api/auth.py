"""Who is calling: bearer tokens only (no session, no cookie, hence no CSRF surface), the scope
each endpoint needs, whose people a token may see, and the per-token rate limit."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..hierarchy import line_prefix
from ..models import EmployeeStatus
from ..reports import ReportFilters
from .models import ApiToken
from .tokens import api_token_for, api_token_touch

ERROR_MALFORMED = _("Send the token as “Authorization: Bearer <token>”.")
ERROR_INVALID = _("This token is unknown or has been revoked.")
ERROR_MANAGER_LEFT = _("This token was limited to a manager who has left.")
ERROR_MISSING_SCOPE = _("This token lacks the scope “%(scope)s”.")


@dataclass(frozen=True)
class ApiClient:
    """``request.user`` for a call made with a token: not a user account, never staff."""

    token: ApiToken
    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    @property
    def pk(self) -> int:
        return self.token.pk

    def __str__(self):
        return str(self.token)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None  # no credentials: 401 from the permission check
        if len(header) != 2:
            raise AuthenticationFailed(ERROR_MALFORMED)
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(ERROR_INVALID) from None
        token = api_token_for(secret)
        if token is None or token.revoked_at is not None:
            raise AuthenticationFailed(ERROR_INVALID)
        if token.manager_id and token.manager.status == EmployeeStatus.TERMINATED:
            raise AuthenticationFailed(ERROR_MANAGER_LEFT)
        api_token_touch(token)
        return ApiClient(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class HasScope(BasePermission):
    """The view's ``required_scope`` must be among the token's scopes (403 otherwise)."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        if view.required_scope in token.scopes:
            return True
        self.message = ERROR_MISSING_SCOPE % {"scope": view.required_scope}
        return False


def token_scope(token: ApiToken) -> ReportFilters:
    """Whose people the token may see, as the reports express it: a manager's token their direct
    and indirect reports (the line ``/team/`` shows), HR's everyone."""
    if token.manager_id is None:
        return ReportFilters()
    return ReportFilters(line_of=token.manager_id, line_path=line_prefix(token.manager))


class ApiTokenThrottle(SimpleRateThrottle):
    """Requests per token, counted in the cache (shared by every app server when it is Redis).
    The rate is read on each request, so ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` applies at once."""

    scope = "api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the published schema describes the tokens."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token HR created (Wagtail admin → Settings → API tokens, or `manage.py api_token create`).",
        }
