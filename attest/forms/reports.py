"""The report filter form (GET) shared by the HR dashboard, the manager view and exports."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..reports import DIMENSION_LABELS, STATUS_GROUP_LABELS, FilterChoices, ReportFilters, Selection

ERROR_DUE_RANGE = _("“Due from” must be on or before “Due until”.")
ERROR_AS_OF_FUTURE = _("“As of” cannot be in the future: reports show what has happened.")
ERROR_DATE_FORMAT = _("Enter a date written YYYY-MM-DD, e.g. 2026-03-31.")
ERROR_UNKNOWN_POLICY = _("No released policy has the slug “%(value)s”. Released policies: %(known)s.")
ERROR_UNKNOWN_REQUIREMENT = _("There is no requirement number %(value)s.")
ERROR_UNKNOWN_DEPARTMENT = _("Nobody works in a department called “%(value)s”. Departments: %(known)s.")
ERROR_UNKNOWN_LOCATION = _("Nobody works in a location called “%(value)s”. Locations: %(known)s.")
# Dates a report may ask about: reports count weeks between them, so no year 1 or 9999.
EARLIEST_DATE, LATEST_DATE = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
DATE_BOUNDS = [MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)]


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    """Every filter of a report. Choices come from ``reports.filter_choices`` so the form costs
    no queries of its own and offers a manager only their own people's departments and locations."""

    policy = forms.ChoiceField(label=_("Policy"), required=False)
    requirement = forms.TypedChoiceField(label=_("Requirement"), required=False, coerce=int, empty_value=None)
    department = forms.ChoiceField(label=_("Department"), required=False)
    location = forms.ChoiceField(label=_("Location"), required=False)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DateInput, validators=DATE_BOUNDS)
    due_to = forms.DateField(label=_("Due until"), required=False, widget=DateInput, validators=DATE_BOUNDS)
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=DateInput,
        validators=DATE_BOUNDS,
        help_text=_("Figures as they stood at the end of this day."),
    )

    def __init__(self, data=None, *, choices: FilterChoices, **kwargs):
        super().__init__(data, **kwargs)
        everything = [("", _("All"))]
        self.fields["policy"].choices = everything + choices.policies
        self.fields["requirement"].choices = everything + [(str(pk), name) for pk, name in choices.requirements]
        self.fields["department"].choices = everything + [(name, name) for name in choices.departments]
        self.fields["location"].choices = everything + [(name, name) for name in choices.locations]
        for name in ("due_from", "due_to", "as_of"):
            self.fields[name].widget.attrs.update(min=EARLIEST_DATE.isoformat(), max=LATEST_DATE.isoformat())
            self.fields[name].input_formats = ["%Y-%m-%d"]
            self.fields[name].error_messages["invalid"] = ERROR_DATE_FORMAT
        for name, message, known in (
            ("policy", ERROR_UNKNOWN_POLICY, [slug for slug, _title in choices.policies]),
            ("requirement", ERROR_UNKNOWN_REQUIREMENT, []),
            ("department", ERROR_UNKNOWN_DEPARTMENT, choices.departments),
            ("location", ERROR_UNKNOWN_LOCATION, choices.locations),
        ):
            listed = (", ".join(known) or "—").replace("%", "%%")
            self.fields[name].error_messages["invalid_choice"] = message % {"value": "%(value)s", "known": listed}
        self.fields["as_of"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self):
        cleaned = super().clean()
        due_from, due_to = cleaned.get("due_from"), cleaned.get("due_to")
        if due_from and due_to and due_from > due_to:
            self.add_error("due_to", ERROR_DUE_RANGE)
        as_of = cleaned.get("as_of")
        if as_of and as_of > timezone.localdate():
            self.add_error("as_of", ERROR_AS_OF_FUTURE)
        return cleaned

    def report_filters(self, *, scope: ReportFilters | None = None) -> ReportFilters:
        """The cleaned filters (call after ``is_valid()``), limited to the people of ``scope``
        (a manager's line) if given."""
        data = self.cleaned_data
        return ReportFilters(
            policy=data.get("policy") or "",
            requirement=data.get("requirement"),
            department=data.get("department") or "",
            location=data.get("location") or "",
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
            as_of=data.get("as_of") or timezone.localdate(),
            line_of=scope.line_of if scope else None,
            line_path=scope.line_path if scope else None,
        ).resolved()


class SelectionForm(forms.Form):
    """Which figure's people to list: a breakdown, its key and a status group."""

    dimension = forms.ChoiceField(choices=[(name, label) for name, label in DIMENSION_LABELS.items()], required=False)
    key = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=[(name, label) for name, label in STATUS_GROUP_LABELS.items()], required=False)

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            dimension=data.get("dimension") or "overall", key=data.get("key") or "", status=data.get("status") or "all"
        )


def as_of_default() -> datetime.date:
    return timezone.localdate()
