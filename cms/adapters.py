from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation

from .context_processors import ADMIN_LINK_SESSION_KEY, show_admin_link
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
        show_admin_link(request)
        employee = getattr(user, "employee", None)
        if employee is not None:
            request.session[EMPLOYEE_LANGUAGE_SESSION_KEY] = employee.language
            if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(employee.language)  # the "signed in" message is in it too
        return response

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
