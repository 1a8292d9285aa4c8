"""Wagtail's Users admin, keeping the one rule it could otherwise bend: a login that belongs to an
employee changes its sign-in email only on the employee record, where a used account's change
waits for a second HR person (``attest.identity``). Without this, whoever may edit users could
point an account at an address they control in one step."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserEditForm
from wagtail.users.views.users import UserViewSet

ERROR_EMAIL_ON_EMPLOYEE_RECORD = _(
    "This login belongs to an employee: change the sign-in email on their employee record "
    "(People & training → Employees), where a second HR person approves it."
)


class RosterUserEditForm(UserEditForm):
    def clean_email(self):
        email = self.cleaned_data.get("email", "")
        employee = getattr(self.instance, "employee", None)
        if employee is not None and email.strip().lower() != (self.instance.email or "").strip().lower():
            raise ValidationError(ERROR_EMAIL_ON_EMPLOYEE_RECORD)
        return email


class RosterUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return RosterUserEditForm if for_update else super().get_form_class(for_update)
