"""HR's form for a new API token."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..api.models import ApiScope
from ..models import Employee

ERROR_UNKNOWN_EMPLOYEE = _("No employee has the id “%(employee_id)s”.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Which system uses this token, and who runs it.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(value, f"{value}: {label}") for value, label in ApiScope.choices],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the token may read. Give it only what the system needs."),
    )
    manager = forms.CharField(
        label=_("Manager's employee id"),
        max_length=64,
        required=False,
        help_text=_(
            "Limits the token to this manager's direct and indirect reports. Leave empty for a token that sees everyone."
        ),
    )

    def clean_manager(self) -> Employee | None:
        employee_id = self.cleaned_data["manager"].strip()
        if not employee_id:
            return None
        manager = Employee.objects.filter(employee_id=employee_id).first()
        if manager is None:
            raise forms.ValidationError(ERROR_UNKNOWN_EMPLOYEE % {"employee_id": employee_id})
        return manager
