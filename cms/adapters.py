from allauth.account.adapter import DefaultAccountAdapter

from .context_processors import ADMIN_LINK_SESSION_KEY, TEAM_LINK_SESSION_KEY, show_admin_link
from .middleware import EMPLOYEE_LANGUAGE_SESSION_KEY


class NoSignupAccountAdapter(DefaultAccountAdapter):
    """Accounts come from the HR roster only: nobody signs themselves up."""

    def is_open_for_signup(self, request):
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
        return response
