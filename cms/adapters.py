from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.httpkit import clean_client_ip
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import translation

from attest.models import Employee, EmployeeStatus

from .context_processors import ADMIN_LINK_SESSION_KEY, TEAM_LINK_SESSION_KEY, show_admin_link
from .middleware import EMPLOYEE_LANGUAGE_SESSION_KEY


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR roster only: nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

    def can_delete_email(self, email_address) -> bool:
        """Sign-in addresses come from the roster: nobody removes theirs (nor adds one, see
        ``cms.views.sign_in_email``)."""
        return False

    def login(self, request, user):
        """Start the session in the language of the employee's HR record, and note whether the
        header shows the admin link (saves a permission lookup on every page)."""
        response = super().login(request, user)
        request.session.pop(ADMIN_LINK_SESSION_KEY, None)  # decided afresh at every login
        request.session.pop(TEAM_LINK_SESSION_KEY, None)
        show_admin_link(request)
        employee = getattr(user, "employee", None)
        if employee is not None:
            request.session[EMPLOYEE_LANGUAGE_SESSION_KEY] = employee.language
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(employee.language)  # the "signed in" message is in it too
        return response

    def get_client_ip(self, request) -> str:
        """The person's address, the one rule for rate limits and the signer's record (the signing
        view asks here too). allauth's: with ``ALLAUTH_TRUSTED_PROXY_COUNT`` = N (the setting
        ``DJANGO_TRUSTED_PROXY_COUNT``), the Nth address from the right of X-Forwarded-For, as each
        trusted proxy appends the address it saw and anything further left is the client's claim;
        with none, the socket address, whatever the header says. A request that passed fewer
        proxies than configured (sent straight to an inner one) gets the furthest address they
        recorded, where allauth would answer 500."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            ip = clean_client_ip(request.headers["x-forwarded-for"].split(",")[0])
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def format_email_subject(self, subject):
        """The product's subjects name the company themselves: no "[site]" prefix."""
        return str(subject)

    def send_mail(self, template_prefix, email, context):
        """Account emails (password reset) go out in the language of the person's HR record, not
        the language of whoever filled in the form, and are signed with the company's name."""
        from attest.reminders import company_context

        user = context.get("user") or get_user_model().objects.filter(email__iexact=email).first()
        employee = getattr(user, "employee", None) if user is not None else None
        language = employee.language if employee is not None else translation.get_language()
        first_name = (employee.first_name if employee is not None else getattr(user, "first_name", "")) or ""
        with translation.override(language):
            super().send_mail(template_prefix, email, {**company_context(), "first_name": first_name, **context})


class RosterSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Single sign-on finds an account only through the roster: the provider's verified email
    must be an employee's current email, and it signs in that employee's own login. Other
    addresses an account may carry (allauth's copies, or ones added before that was closed) and
    accounts without an employee record never match."""

    def authenticate_by_email(self, sociallogin):
        for address in sociallogin.email_addresses:
            if not address.verified or not self.can_authenticate_by_email(sociallogin, address.email):
                continue
            employee = (
                Employee.objects.filter(email__iexact=address.email.strip())
                .exclude(status=EmployeeStatus.TERMINATED)
                .select_related("user")
                .first()
            )
            if employee is not None:
                return employee.user, address.email
        return None
