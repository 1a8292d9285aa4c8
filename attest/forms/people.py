"""Admin forms for HR: requirements, employee edits, exemptions and roster uploads.

They validate what a person typed and hand over to services; the rules themselves (who needs
what, by when) live in ``services.assignments_sync``.
"""

from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Locale

from training.forms import POLICY_LOOKUP
from training.models import PolicyPage, Track

from ..hierarchy import line_problems, managers_by_id
from ..models import Employee, Requirement, RequirementKind
from ..roster import ERROR_EMAIL_TAKEN, ERROR_EMAIL_TAKEN_USER, ERROR_MANAGER_UNKNOWN
from ..validators import validate_printable

ROSTER_MAX_BYTES = 20 * 1024 * 1024
ROSTER_SUFFIXES = (".csv", ".xlsx")

ERROR_AD_HOC_NEEDS_DUE_DATE = _("An ad hoc campaign needs a due date.")
ERROR_DUE_DATE_ONLY_AD_HOC = _("Only ad hoc campaigns have a due date: leave it empty.")
ERROR_DUE_DATE_IN_PAST = _("The due date has already passed.")
ERROR_FIXED_DATE_ONLY_ANNUAL = _("Only annual refreshers have a fixed yearly due date: leave it empty.")
ERROR_DUE_DAYS = _("Give people at least one day to complete it.")
ERROR_ROSTER_TOO_LARGE = _("The file is larger than 20 MB.")
ERROR_ROSTER_TYPE = _("Upload a .csv or .xlsx file exported from the HR system.")
ERROR_ROSTER_CONTENT = _("The file's content does not match its extension: it is not a CSV or Excel roster.")
ERROR_MANAGER_SELF = _("Someone cannot be their own manager.")


def audience_values(field: str, keep: list[str] | None = None) -> list[tuple[str, str]]:
    """The distinct departments or locations people have, plus any already chosen (so an edit
    never silently drops a value nobody has any more)."""
    values = set(Employee.objects.order_by().values_list(field, flat=True).distinct()) | set(keep or [])
    return [(value, value) for value in sorted(values)]


class RequirementForm(WagtailAdminModelForm):
    departments = forms.MultipleChoiceField(
        label=_("Departments"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every department."),
    )
    locations = forms.MultipleChoiceField(
        label=_("Locations"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for every location."),
    )
    tracks = forms.MultipleChoiceField(
        label=_("Tracks"),
        required=False,
        choices=Track.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave both unticked for everyone."),
    )

    class Meta:
        model = Requirement
        fields = [
            "name",
            "name_fr",
            "name_es",
            "name_da",
            "name_nb",
            "policy",
            "kind",
            "due_days",
            "annual_fixed_date",
            "due_date",
            "starts_on",
            "departments",
            "locations",
            "tracks",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = audience_values("department", self.instance.departments)
        self.fields["locations"].choices = audience_values("location", self.instance.locations)
        # Translations follow their source page; versions and assignments live on the source.
        self.fields["policy"].queryset = PolicyPage.objects.filter(locale=Locale.get_default()).order_by("title")
        self.fields["policy"].to_field_name = POLICY_LOOKUP

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == RequirementKind.AD_HOC:
            due_date = data.get("due_date")
            if not due_date:
                self.add_error("due_date", ERROR_AD_HOC_NEEDS_DUE_DATE)
            elif due_date < timezone.localdate() and "due_date" in self.changed_data:
                self.add_error("due_date", ERROR_DUE_DATE_IN_PAST)
        elif data.get("due_date"):
            self.add_error("due_date", ERROR_DUE_DATE_ONLY_AD_HOC)
        if kind != RequirementKind.ANNUAL and data.get("annual_fixed_date"):
            self.add_error("annual_fixed_date", ERROR_FIXED_DATE_ONLY_ANNUAL)
        needs_days = kind in (RequirementKind.ONBOARDING, RequirementKind.REATTESTATION) or (
            kind == RequirementKind.ANNUAL and not data.get("annual_fixed_date")
        )
        if needs_days and not data.get("due_days"):
            self.add_error("due_days", ERROR_DUE_DAYS)
        return data


class EmployeeForm(WagtailAdminModelForm):
    """HR's correction of one person's record. The manager is typed as an employee id: a
    drop-down of 100,000 people helps nobody."""

    manager_employee_id = forms.CharField(
        label=_("Manager's employee id"), required=False, max_length=64, help_text=_("Leave empty for no manager.")
    )

    class Meta:
        model = Employee
        fields = [
            "first_name",
            "last_name",
            "email",
            "department",
            "location",
            "hire_date",
            "language",
            "track",
            "status",
        ]
        help_texts = {"status": _("Terminated people lose access to the site; their records are kept.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "department", "location"):
            self.fields[name].validators.append(validate_printable)  # as the roster import checks them
        if self.instance.manager_id:
            self.fields["manager_employee_id"].initial = self.instance.manager.employee_id
        self.order_fields(["first_name", "last_name", "email", "manager_employee_id"])

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        holder = Employee.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).first()
        if holder:
            raise forms.ValidationError(ERROR_EMAIL_TAKEN % {"value": email, "other": holder.employee_id})
        others = get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        if self.instance.user_id:
            others = others.exclude(pk=self.instance.user_id)
        if others.exists():
            raise forms.ValidationError(ERROR_EMAIL_TAKEN_USER % {"value": email})
        return email

    def clean_manager_employee_id(self):
        value = self.cleaned_data["manager_employee_id"].strip()
        if not value:
            self.instance.manager = None
            return value
        manager = Employee.objects.filter(employee_id=value).first()
        if manager is None:
            raise forms.ValidationError(ERROR_MANAGER_UNKNOWN % {"value": value})
        if manager.pk == self.instance.pk:
            raise forms.ValidationError(ERROR_MANAGER_SELF)
        managers = managers_by_id()
        managers[self.instance.employee_id] = manager.employee_id
        problems = line_problems(managers, [self.instance.employee_id])
        if problems:
            raise forms.ValidationError(problems[self.instance.employee_id])
        self.instance.manager = manager
        return value


class ExemptionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: long-term leave until March. Recorded with your name and the time."),
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("Roster file"), help_text=_("CSV (UTF-8) or Excel (.xlsx), at most 20 MB."))
    deactivate_missing = forms.BooleanField(
        label=_("People missing from the file have left"),
        required=False,
        help_text=_("Close their accounts. Their training records and attestations are kept."),
    )
    send_invitations = forms.BooleanField(
        label=_("Email new people an invitation to set their password"), required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ROSTER_MAX_BYTES:
            raise forms.ValidationError(ERROR_ROSTER_TOO_LARGE)
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ROSTER_SUFFIXES:
            raise forms.ValidationError(ERROR_ROSTER_TYPE)
        upload.seek(0)
        head = upload.read(64 * 1024)
        upload.seek(0)
        looks_right = head.startswith(b"PK\x03\x04") if suffix == ".xlsx" else b"\x00" not in head
        if not looks_right:
            raise forms.ValidationError(ERROR_ROSTER_CONTENT)
        return upload
