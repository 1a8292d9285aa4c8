"""Request-wide concerns: the employee's language, the Content Security Policy and staff two-factor.

Rules about URLs look at ``request.path_info``, the path inside the application: ``request.path``
also carries the prefix the server mounts the product under (``SCRIPT_NAME``), which a
deployment chooses and, behind some servers, a client can send."""

import functools
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from attest.sso import provider_origins

EMPLOYEE_LANGUAGE_SESSION_KEY = "employee_language"
ADMIN_PATH = "/admin/"  # where cms.urls mounts the Wagtail admin

# The product's own pages run no inline script. Wagtail's admin ships inline bootstrapping
# code, so it gets a policy that allows it, still limited to this origin.
# form-action also admits the single sign-on provider: the sign-in form posts here and is
# redirected there, and browsers hold redirects after a form to the same rule.
SITE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'{sso}; "
    "frame-ancestors 'self'"
)
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'{sso}; frame-ancestors 'self'"
)


@functools.cache
def _policies(sso_origins: tuple[str, ...]) -> tuple[str, str]:
    sso = "".join(f" {origin}" for origin in sso_origins)
    return SITE_POLICY.format(sso=sso), ADMIN_POLICY.format(sso=sso)


class EmployeeLanguageMiddleware:
    """Use the language from the employee's HR record unless they chose one themselves.

    Runs before ``LocaleMiddleware``: it only sets the default that the cookie overrides.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.session.get(EMPLOYEE_LANGUAGE_SESSION_KEY)
        if language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            site, admin = _policies(provider_origins())
            response["Content-Security-Policy"] = admin if in_admin(request) else site
        return response


class StaffTwoFactorMiddleware:
    """Staff (HR, editors, reviewers, superusers) must have two-factor authentication before they
    reach the admin, and this session must have passed it: a session that began some other way
    (before the second factor was set up, say) is asked for a code first. Set
    ``STAFF_REQUIRE_MFA = False`` only for local demos."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "STAFF_REQUIRE_MFA", True)
            and in_admin(request)
            and request.user.is_authenticated
            and request.user.has_perm("wagtailadmin.access_admin")
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=request.user).exists():
                messages.warning(request, _("Staff accounts need two-factor authentication. Set it up to continue."))
                return redirect("mfa_activate_totp")
            if not passed_second_factor(request):
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def in_admin(request) -> bool:
    """Whether the request is for the Wagtail admin, wherever the product is mounted."""
    return request.path_info.startswith(ADMIN_PATH)


def passed_second_factor(request) -> bool:
    """Whether allauth recorded a second factor for this session's sign-in (or a later check)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def record_second_factor_on_setup(sender, request, user, authenticator, **kwargs) -> None:
    """Setting up an authenticator app or security key takes a valid code or signature from it:
    that counts as this session's second factor, so nobody is asked for another code straight
    after setting one up. New recovery codes prove nothing and do not count."""
    from allauth.mfa.models import Authenticator

    proves_possession = authenticator.type in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    if proves_possession and request is not None and getattr(request, "user", None) == user:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
