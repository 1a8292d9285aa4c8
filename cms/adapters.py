from allauth.account.adapter import DefaultAccountAdapter

from .context_processors import ADMIN_LINK_SESSION_KEY
from .middleware import EMPLOYEE_LANGUAGE_SESSION_KEY


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR roster only: nobody signs themselves up."""

    def is_open_for_signup(self, request):
        return False

    def login(self, request, user):
        """Start the session in the language of the employee's HR record, and note whether the
        header shows the admin link (saves a permission lookup on every page)."""
        response = super().login(request, user)
        request.session[ADMIN_LINK_SESSION_KEY] = user.has_perm("wagtailadmin.access_admin")
        employee = getattr(user, "employee", None)
        if employee is not None:
            request.session[EMPLOYEE_LANGUAGE_SESSION_KEY] = employee.language
        return response
