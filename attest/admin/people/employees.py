"""Employees in the admin: the list with its filters, and HR's edit (sign-in email changes go through a second HR person)."""

import django_filters
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from training.models import Track

from ...forms.people import EmployeeForm, audience_values
from ...history import employee_history
from ...models import Employee, EmployeeStatus, IdentityChange, IdentityChangeOutcome
from ...roster import employee_update
from .roster_import import _can_import


class EmployeeFilterSet(WagtailFilterSet):
    department = django_filters.ChoiceFilter(
        label=gettext_lazy("Department"), choices=lambda: audience_values("department")
    )
    location = django_filters.ChoiceFilter(label=gettext_lazy("Location"), choices=lambda: audience_values("location"))
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=EmployeeStatus.choices)
    track = django_filters.ChoiceFilter(label=gettext_lazy("Track"), choices=Track.choices)

    class Meta:
        model = Employee
        fields = []


MESSAGE_EMAIL_PENDING = gettext_lazy(
    "The new sign-in email %(email)s needs a second HR person's approval: until then %(old)s stays in use."
)


def _pending_email(employee: Employee) -> str:
    return employee.pending_email or ""


class EmployeeIndexView(IndexView):
    def get_base_queryset(self):
        pending = IdentityChange.objects.pending().filter(employee=OuterRef("pk")).values("new_email")[:1]
        return super().get_base_queryset().select_related("manager").annotate(pending_email=Subquery(pending))

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if _can_import(self.request.user):
            buttons.append(
                HeaderButton(_("Import the roster"), url=reverse("roster_import:upload"), icon_name="upload")
            )
        return buttons


class EmployeeEditView(EditView):
    """A new email is not saved with the rest: it goes through ``identity_change_request``, which
    applies it at once only for an account never used, and otherwise waits for a second HR person."""

    template_name = "attest/admin/employee_edit.html"
    identity_change = None

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(_("Transcript"), url=reverse("transcript_of", args=[self.object.pk]), icon_name="doc-full"),
        ]

    def save_instance(self):
        employee = self.form.save(commit=False)
        self.identity_change = employee_update(employee=employee, by=self.request.user)
        self.has_content_changes = self.form.has_changed()
        log(instance=employee, action="wagtail.edit", content_changed=self.has_content_changes)  # as Wagtail's own
        return employee

    def get_success_message(self):
        message = super().get_success_message()
        change = self.identity_change
        if change is not None and change.outcome == IdentityChangeOutcome.PENDING:
            message = f"{message} {MESSAGE_EMAIL_PENDING % {'email': change.new_email, 'old': change.old_email}}"
        return message

    def get_context_data(self, **kwargs):
        history = employee_history(self.object)
        return super().get_context_data(
            history=history,
            identity_changes=history.identity_changes,
            can_remind=self.request.user.has_perm("attest.change_assignment"),
            **kwargs,
        )


class EmployeeViewSet(ModelViewSet):
    model = Employee
    icon = "user"
    menu_label = gettext_lazy("Employees")
    index_view_class = EmployeeIndexView
    edit_view_class = EmployeeEditView
    copy_view_enabled = False
    list_display = [
        "__str__",
        "email",
        Column("pending_email", label=gettext_lazy("Email change waiting for approval"), accessor=_pending_email),
        "department",
        "location",
        "manager",
        "status",
        "track",
    ]
    filterset_class = EmployeeFilterSet
    search_fields = ["employee_id", "first_name", "last_name", "email"]
    search_backend_name = None
    ordering = ["last_name", "first_name"]

    def get_form_class(self, for_update=False):
        return EmployeeForm
