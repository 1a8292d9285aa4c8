"""Admin forms for the register. They check what was typed; ``services`` applies the rules."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import Employee
from ..validators import validate_printable
from .models import AccessRole, OfficialAccount

ERROR_EMPLOYEE_UNKNOWN = _("No employee has the id or email “%(value)s”.")


class OfficialAccountForm(WagtailAdminModelForm):
    class Meta:
        model = OfficialAccount
        fields = [
            "platform",
            "handle",
            "url",
            "department",
            "country",
            "language",
            "purpose",
            "sign_in_protection",
            "credential_location",
            "review_every_months",
        ]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("handle", "department", "country", "credential_location"):
            self.fields[name].validators.append(validate_printable)


class AccessGrantForm(forms.Form):
    employee = forms.CharField(
        label=_("Employee id or email"),
        required=False,
        max_length=254,
        help_text=_("Leave empty for an agency contact who is not an employee."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=AccessRole.choices)
    external_name = forms.CharField(
        label=_("Agency contact's name"), required=False, max_length=200, validators=[validate_printable]
    )
    external_email = forms.EmailField(label=_("Agency contact's email"), required=False)

    def clean_employee(self):
        value = self.cleaned_data["employee"].strip()
        if not value:
            return None
        employee = Employee.objects.filter(Q(employee_id=value) | Q(email__iexact=value)).first()
        if employee is None:
            raise forms.ValidationError(ERROR_EMPLOYEE_UNKNOWN % {"value": value})
        return employee


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("How was access removed?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: removed from the page's roles on LinkedIn, password rotated. Recorded with your name."
        ),
    )


class ReviewForm(forms.Form):
    keep = forms.TypedMultipleChoiceField(
        label=_("Still needs access"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick anyone who no longer needs to sign in: their access is recorded as removed."),
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, holders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (access.pk, f"{access.holder_name} ({access.get_role_display()})") for access in holders
        ]
        self.fields["keep"].initial = [access.pk for access in holders]
        self.fields["seen"].initial = ",".join(str(access.pk) for access in holders)

    def clean_seen(self):
        try:
            return {int(pk) for pk in self.cleaned_data["seen"].split(",") if pk}
        except ValueError:
            return set()
