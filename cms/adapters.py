from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

from attest.models import Employee, EmployeeStatus

from .context_processors import ADMIN_LINK_SESSION_KEY, show_admin_link
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
        show_admin_link(request)
        employee = getattr(user, "employee", None)
        if employee is not None:
            request.session[EMPLOYEE_LANGUAGE_SESSION_KEY] = employee.language
        return response


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
