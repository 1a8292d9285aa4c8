"""Assignments in the admin: the list with statuses, and exempting someone with a reason."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from ...forms.people import ExemptionForm, audience_values
from ...models import Assignment, Requirement
from ...selectors import OPEN_STATUSES
from ...services import AttestationError, assignment_exempt
from ...status import AssignmentStatus
from ...views.hr import AssignmentInspectView


class AssignmentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"), choices=AssignmentStatus.choices, field_name="status"
    )
    requirement = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Requirement"), queryset=Requirement.objects.order_by("name")
    )
    department = django_filters.ChoiceFilter(
        label=gettext_lazy("Department"),
        field_name="employee__department",
        choices=lambda: audience_values("department"),
    )
    location = django_filters.ChoiceFilter(
        label=gettext_lazy("Location"), field_name="employee__location", choices=lambda: audience_values("location")
    )
    due_on = django_filters.DateFromToRangeFilter(label=gettext_lazy("Due on"), widget=DateRangePickerWidget)

    class Meta:
        model = Assignment
        fields = []


def _status_label(assignment: Assignment) -> str:
    return str(AssignmentStatus(assignment.status).label)


def _exemption(assignment: Assignment) -> str:
    if not assignment.exempted_at:
        return ""
    who = assignment.exempted_by.get_full_name() or assignment.exempted_by.get_username()
    return _("%(who)s, %(when)s: %(reason)s") % {
        "who": who,
        "when": date_format(assignment.exempted_at, "SHORT_DATE_FORMAT"),
        "reason": assignment.exemption_reason,
    }


class AssignmentIndexView(IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        columns[0].label = gettext_lazy("Employee")  # the model field has no translated name
        return columns

    def get_base_queryset(self):
        return (
            Assignment.objects.with_status()
            .select_related("employee", "requirement", "version", "exempted_by")
            .annotate(policy_title=F("version__policy__title"))
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status in OPEN_STATUSES and self.request.user.has_perm("attest.change_assignment"):
            buttons.append(
                Button(
                    _("Grant exemption"),
                    url=reverse("assignments:exempt", args=[instance.pk]),
                    icon_name="minus",
                    priority=5,
                )
            )
            buttons.append(
                Button(
                    _("Quiz attempts"), url=reverse("quiz_attempts", args=[instance.pk]), icon_name="help", priority=6
                )
            )
        return buttons


class AssignmentExemptView(WagtailAdminTemplateMixin, FormView):
    """Excuse one person from one assignment, with a reason, through ``assignment_exempt``
    (which records who and when, and writes the audit log)."""

    template_name = "attest/admin/assignment_exempt.html"
    form_class = ExemptionForm
    page_title = gettext_lazy("Exempt from an assignment")
    header_icon = "minus"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm("attest.change_assignment"):
            raise PermissionDenied
        self.assignment = get_object_or_404(
            Assignment.objects.with_status().select_related("employee", "version__policy", "requirement"), pk=pk
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.assignment)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("assignments:index"), "label": _("Assignments")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            assignment=self.assignment,
            is_open=self.assignment.status in OPEN_STATUSES,
            status_label=_status_label(self.assignment),
            cancel_url=reverse("assignments:index"),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            assignment_exempt(assignment=self.assignment, reason=form.cleaned_data["reason"], by=self.request.user)
        except AttestationError as error:
            form.add_error("reason", str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is exempt from “%(assignment)s”.")
            % {"name": self.assignment.employee.full_name, "assignment": self.assignment.version},
        )
        return redirect("assignments:index")


class AssignmentViewSet(ModelViewSet):
    """Read-only list and detail, plus the Exempt action. Assignments are made by
    ``assignments_sync``; they are never added, edited or deleted by hand."""

    model = Assignment
    icon = "list-ul"
    menu_label = gettext_lazy("Assignments")
    index_view_class = AssignmentIndexView
    inspect_view_enabled = True
    inspect_view_class = AssignmentInspectView
    copy_view_enabled = False
    form_fields = []
    list_display = [
        "employee",
        Column("policy", label=gettext_lazy("Policy"), accessor=lambda a: f"{a.policy_title} {a.version.number}"),
        Column("requirement", label=gettext_lazy("Requirement"), accessor="requirement", sort_key="requirement__name"),
        Column("due_on", label=gettext_lazy("Due on"), accessor=lambda a: date_format(a.due_on), sort_key="due_on"),
        Column("status", label=gettext_lazy("Status"), accessor=_status_label, sort_key="status"),
        Column("exemption", label=gettext_lazy("Exemption"), accessor=_exemption),
    ]
    filterset_class = AssignmentFilterSet
    search_fields = ["employee__employee_id", "employee__first_name", "employee__last_name", "employee__email"]
    search_backend_name = None
    ordering = ["due_on"]
    inspect_view_fields = [
        "employee",
        "requirement",
        "version",
        "assigned_on",
        "due_on",
        "started_at",
        "completed_at",
        "attestation",
        "exempted_at",
        "exempted_by",
        "exemption_reason",
        "cancelled_at",
        "cancel_reason",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    @property
    def url_finder_class(self):
        """Links to an assignment (from an employee's or a requirement's usage page) open the
        inspect view: there is no edit view."""
        return type("AssignmentURLFinder", (ModelAdminURLFinder,), {"edit_url_name": self.get_url_name("inspect")})

    @property
    def exempt_view(self):
        return AssignmentExemptView.as_view()

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("history/<int:pk>/", self.history_view, name="history"),
            path("history-results/<int:pk>/", self.history_results_view, name="history_results"),
            path("usage/<int:pk>/", self.usage_view, name="usage"),
            path("exempt/<int:pk>/", self.exempt_view, name="exempt"),
        ]
