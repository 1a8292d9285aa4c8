"""People & training, HR's part of the admin: employees, requirements, assignments (with
exemptions) and the roster import.

Only people with the ``attest`` permissions (the HR role) see these menus or reach these views;
policy editors and legal reviewers do not. People come from the roster: nobody adds or deletes
an employee, assignment or requirement by hand, because the records are evidence.
"""

import secrets
from pathlib import Path

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, View
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from training.models import Track
from training.permissions import AppendOnlyPermissionPolicy

from ..forms_people import EmployeeForm, ExemptionForm, RequirementForm, RosterUploadForm, audience_values
from ..hierarchy import reporting_paths_refresh
from ..history import employee_history
from ..identity import (
    LOG_APPLIED,
    LOG_REJECTED,
    LOG_REQUESTED,
    IdentityChangeError,
    identity_change_approve,
    identity_change_reject,
    identity_change_request,
)
from ..models import (
    Assignment,
    Employee,
    EmployeeStatus,
    IdentityChange,
    IdentityChangeOutcome,
    IdentityChangeSource,
    Requirement,
    RequirementKind,
)
from ..roster import (
    employee_sync,
    lock_roster,
    roster_import,
    roster_upload_discard,
    roster_upload_stage,
    roster_upload_take,
)
from ..selectors import OPEN_STATUSES
from ..services import AttestationError, assignment_exempt
from ..status import AssignmentStatus
from ..tasks import sync_assignments
from ..views_hr import AssignmentInspectView

ROSTER_PERMISSIONS = ("attest.add_employee", "attest.change_employee")
ROSTER_SESSION_KEY = "attest_roster_upload"
ROSTER_PREVIEW_ERRORS = 500

# Records are evidence: employees come and go through the roster, requirements are switched off
# rather than deleted, assignments are exempted or cancelled rather than deleted.
register_permission_policy(Employee, AppendOnlyPermissionPolicy(Employee, allowed_actions=("change", "view")))
register_permission_policy(
    Requirement, AppendOnlyPermissionPolicy(Requirement, allowed_actions=("add", "change", "view"))
)
register_permission_policy(Assignment, AppendOnlyPermissionPolicy(Assignment, allowed_actions=("change", "view")))
register_permission_policy(IdentityChange, AppendOnlyPermissionPolicy(IdentityChange, allowed_actions=("view",)))


# --- Employees --------------------------------------------------------------------------------


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
        lock_roster()  # Wagtail runs this in a transaction
        wanted = self.form.instance.email
        saved = Employee.objects.filter(pk=self.form.instance.pk).values_list("email", flat=True).get()
        moves = wanted.lower() != saved.lower()
        if moves:
            self.form.instance.email = saved
        employee = super().save_instance()
        if moves:
            self.identity_change = identity_change_request(employee=employee, new_email=wanted, by=self.request.user)
        reporting_paths_refresh()
        employee_sync(employee=employee)
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


# --- Requirements -----------------------------------------------------------------------------


def _due_rule(requirement: Requirement) -> str:
    if requirement.kind == RequirementKind.AD_HOC:
        return _("by %(date)s") % {"date": date_format(requirement.due_date)} if requirement.due_date else ""
    if requirement.kind == RequirementKind.ANNUAL and requirement.annual_fixed_date:
        return _("every year by %(day)s") % {"day": date_format(requirement.annual_fixed_date, "MONTH_DAY_FORMAT")}
    return _("within %(days)s days") % {"days": requirement.due_days}


def _audience(requirement: Requirement) -> str:
    parts = [", ".join(values) for values in (requirement.departments, requirement.locations) if values]
    if requirement.tracks:
        parts.append(", ".join(str(Track(track).label) for track in requirement.tracks))
    return " · ".join(parts) or _("Everyone")


class RequirementSyncMixin:
    """Saving a requirement brings assignments in line with it, in the background (for 100,000
    people this takes longer than a page load should)."""

    def save_instance(self):
        requirement = super().save_instance()
        sync_assignments.enqueue()
        return requirement

    def get_success_message(self, *args):
        return _("Requirement “%(name)s” saved. Assignments are being updated.") % {"name": self.object.name}


class RequirementCreateView(RequirementSyncMixin, CreateView):
    pass


class RequirementEditView(RequirementSyncMixin, EditView):
    pass


class RequirementViewSet(ModelViewSet):
    model = Requirement
    icon = "tasks"
    menu_label = gettext_lazy("Requirements")
    add_view_class = RequirementCreateView
    edit_view_class = RequirementEditView
    copy_view_enabled = False
    list_display = [
        "name",
        "policy",
        "kind",
        Column("due", label=gettext_lazy("Due"), accessor=_due_rule),
        Column("audience", label=gettext_lazy("Audience"), accessor=_audience),
        BooleanColumn("active", label=gettext_lazy("active")),
    ]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return RequirementForm


# --- Assignments ------------------------------------------------------------------------------


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


# --- Sign-in email changes ------------------------------------------------------------------


def _requested(change: IdentityChange) -> str:
    if change.requested_by:
        who = change.requested_by.get_username()
    elif change.source == IdentityChangeSource.PROVISIONING:
        who = _("the identity provider")
    else:
        who = _("a roster import on the server")
    via = change.file_name or str(change.get_source_display())
    return _("%(who)s, %(when)s (%(via)s)") % {
        "who": who,
        "when": date_format(timezone.localtime(change.requested_at), "SHORT_DATETIME_FORMAT"),
        "via": via,
    }


def _decided(change: IdentityChange) -> str:
    if change.outcome == IdentityChangeOutcome.PENDING:
        return str(change.get_outcome_display())
    who = change.decided_by.get_username() if change.decided_by else ""
    return _("%(outcome)s: %(who)s, %(when)s") % {
        "outcome": change.get_outcome_display(),
        "who": who,
        "when": date_format(timezone.localtime(change.decided_at), "SHORT_DATETIME_FORMAT"),
    }


class IdentityChangeFilterSet(WagtailFilterSet):
    outcome = django_filters.ChoiceFilter(label=gettext_lazy("Outcome"), choices=IdentityChangeOutcome.choices)

    class Meta:
        model = IdentityChange
        fields = []


class IdentityChangeIndexView(IndexView):
    def get_base_queryset(self):
        return IdentityChange.objects.select_related("employee", "requested_by", "decided_by")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.outcome == IdentityChangeOutcome.PENDING and _can_import(self.request.user):
            buttons.append(
                Button(
                    _("Approve or reject"),
                    url=reverse("identity_changes:decide", args=[instance.pk]),
                    icon_name="tick",
                    priority=5,
                )
            )
        return buttons


class IdentityChangeDecideView(WagtailAdminTemplateMixin, View):
    """A second HR person approves or rejects a change (with every other change of the same
    roster file); ``identity_change_approve`` refuses the requester."""

    template_name = "attest/admin/identity_change_decide.html"
    page_title = gettext_lazy("Approve a sign-in email change")
    header_icon = "user"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, pk, **kwargs):
        if not _can_import(request.user):
            raise PermissionDenied
        self.change = get_object_or_404(IdentityChange.objects.select_related("employee", "requested_by"), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("identity_changes:index"), "label": _("Email changes")},
            {"url": "", "label": self.get_page_title()},
        ]

    def render(self, error=None):
        batch = IdentityChange.objects.filter(batch=self.change.batch).select_related("employee").order_by("pk")
        context = self.get_context_data(
            change=self.change,
            batch=batch,
            error=error,
            is_pending=self.change.outcome == IdentityChangeOutcome.PENDING,
            own_request=self.change.requested_by_id == self.request.user.pk,
            requested=_requested(self.change),
            cancel_url=reverse("identity_changes:index"),
        )
        return self.render_to_response(context)

    def get(self, request):
        return self.render()

    def post(self, request):
        decide = identity_change_approve if "approve" in request.POST else identity_change_reject
        try:
            changes = decide(change=self.change, by=request.user)
        except IdentityChangeError as error:
            return self.render(error=str(error))
        if decide is identity_change_approve:
            messages.success(
                request,
                ngettext(
                    "Approved: %(count)d sign-in email changed. The old address was told and the sessions ended.",
                    "Approved: %(count)d sign-in emails changed. The old addresses were told and the sessions ended.",
                    len(changes),
                )
                % {"count": len(changes)},
            )
        else:
            messages.success(request, _("Rejected: nothing was changed."))
        return redirect("identity_changes:index")


class IdentityChangeViewSet(ModelViewSet):
    """Requested changes of sign-in emails, waiting ones first; read-only but for the decision."""

    model = IdentityChange
    icon = "user"
    menu_label = gettext_lazy("Email changes")
    index_view_class = IdentityChangeIndexView
    copy_view_enabled = False
    form_fields = []
    list_display = [
        TitleColumn(
            "reference", label=gettext_lazy("Reference"), accessor="reference", url_name="identity_changes:decide"
        ),
        "employee",
        "old_email",
        "new_email",
        Column("requested", label=gettext_lazy("Requested"), accessor=_requested, sort_key="requested_at"),
        Column("outcome", label=gettext_lazy("Outcome"), accessor=_decided, sort_key="outcome"),
    ]
    filterset_class = IdentityChangeFilterSet
    search_fields = ["employee__employee_id", "employee__first_name", "employee__last_name", "old_email", "new_email"]
    search_backend_name = None
    ordering = ["-requested_at"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("decide/<int:pk>/", IdentityChangeDecideView.as_view(), name="decide"),
        ]


# --- Roster import ----------------------------------------------------------------------------


def _can_import(user) -> bool:
    return all(user.has_perm(perm) for perm in ROSTER_PERMISSIONS)


def _forget_upload(request) -> None:
    pending = request.session.pop(ROSTER_SESSION_KEY, None)
    if pending:
        roster_upload_discard(token=pending["token"], by=request.user)


class RosterImportMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = gettext_lazy("Import the roster")

    def dispatch(self, request, *args, **kwargs):
        if not _can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("employees:index"), "label": _("Employees")},
            {"url": "", "label": self.get_page_title()},
        ]

    def preview(self, *, result, pending):
        return self.render_to_response(
            self.get_context_data(
                result=result,
                pending=pending,
                errors=result.errors[:ROSTER_PREVIEW_ERRORS],
                hidden_errors=max(0, len(result.errors) - ROSTER_PREVIEW_ERRORS),
                confirm_url=reverse("roster_import:confirm"),
                upload_url=reverse("roster_import:upload"),
            )
        )


class RosterUploadView(RosterImportMixin, FormView):
    """Step 1: upload and check. Nothing changes; the file waits under a random token."""

    template_name = "attest/admin/roster_upload.html"
    form_class = RosterUploadForm

    def form_valid(self, form):
        _forget_upload(self.request)
        upload = form.cleaned_data["file"]
        options = {
            "deactivate_missing": form.cleaned_data["deactivate_missing"],
            "send_invitations": form.cleaned_data["send_invitations"],
        }
        result = roster_import(source=upload, dry_run=True, **options)
        pending = {"name": Path(upload.name).name, **options}
        if result.ok:
            staged = roster_upload_stage(upload=upload, by=self.request.user, **options)
            pending.update(token=staged.token, name=staged.file_name)
            self.request.session[ROSTER_SESSION_KEY] = pending
        self.template_name = "attest/admin/roster_preview.html"
        return self.preview(result=result, pending=pending)


class RosterConfirmView(RosterImportMixin, View):
    """Step 2: apply the file that was previewed, all of it or nothing."""

    template_name = "attest/admin/roster_preview.html"
    http_method_names = ["post"]

    def post(self, request):
        pending = request.session.get(ROSTER_SESSION_KEY)
        token = request.POST.get("token", "")
        staged = None
        if pending and secrets.compare_digest(pending["token"], token):
            staged = roster_upload_take(token=token, by=request.user)
        if staged is None:
            messages.error(request, _("That upload has expired or was already imported. Upload the file again."))
            return redirect("roster_import:upload")
        result = roster_import(
            source=ContentFile(staged.content, name=staged.file_name),
            deactivate_missing=staged.deactivate_missing,
            send_invitations=staged.send_invitations,
            by=request.user,
            file_name=staged.file_name,
        )
        _forget_upload(request)
        if not result.ok:
            return self.preview(result=result, pending=pending)
        messages.success(
            request,
            _(
                "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(deactivated)d deactivated, %(invited)d invited."
            )
            % {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "deactivated": result.deactivated,
                "invited": result.invited,
            },
        )
        if result.held:
            messages.warning(
                request,
                ngettext(
                    "%(count)d new sign-in email waits for a second HR person's approval (Email changes).",
                    "%(count)d new sign-in emails wait for a second HR person's approval (Email changes).",
                    len(result.held),
                )
                % {"count": len(result.held)},
            )
        return redirect("employees:index")


class RosterImportViewSet(ViewSet):
    icon = "upload"
    menu_label = gettext_lazy("Import the roster")

    @property
    def menu_item_class(self):
        class RosterImportMenuItem(MenuItem):
            def is_shown(self, request):
                return _can_import(request.user)

        return RosterImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", RosterUploadView.as_view(), name="upload"),
            path("confirm/", RosterConfirmView.as_view(), name="confirm"),
        ]


class PeopleViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("People & training")
    menu_icon = "group"
    menu_order = 200
    items = (
        EmployeeViewSet("employees"),
        RequirementViewSet("requirements"),
        AssignmentViewSet("assignments"),
        RosterImportViewSet("roster_import"),
        IdentityChangeViewSet("identity_changes"),
    )


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleViewSetGroup()


@hooks.register("after_policy_version_release")
def sync_after_release(request, version):
    """A material release moves open assignments to it and asks past signers to re-attest:
    ``training``'s release view fires this hook (it knows nothing of HR). The sync is queued only
    once the release commits, so the worker never looks for a version that is not there yet."""
    transaction.on_commit(sync_assignments.enqueue)


class ExemptionLogFormatter(LogFormatter):
    label = gettext_lazy("Exempt from assignment")

    def format_message(self, log_entry):
        return _("Exempted: %(reason)s") % {"reason": log_entry.data.get("reason", "")}


class RosterImportLogFormatter(LogFormatter):
    label = gettext_lazy("Roster import")

    def format_message(self, log_entry):
        change = log_entry.data.get("change")
        if change == "created":
            return _("Created by a roster import")
        if change == "deactivated":
            return _("Deactivated by a roster import: missing from the file")
        return _("Updated by a roster import: %(fields)s") % {"fields": ", ".join(log_entry.data.get("fields", []))}


class IdentityChangeLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email changed")

    def format_message(self, log_entry):
        return _("Sign-in email changed: %(old)s → %(new)s (%(reference)s)") % _email_change(log_entry)


class IdentityChangeRequestLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email change requested")

    def format_message(self, log_entry):
        return _(
            "Sign-in email change requested, waiting for a second HR person: %(old)s → %(new)s (%(reference)s)"
        ) % (_email_change(log_entry))


class IdentityChangeRejectLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email change rejected")

    def format_message(self, log_entry):
        return _("Sign-in email change rejected: %(old)s → %(new)s (%(reference)s)") % _email_change(log_entry)


def _email_change(log_entry) -> dict:
    data = log_entry.data or {}
    return {"old": data.get("old_email", ""), "new": data.get("new_email", ""), "reference": data.get("reference", "")}


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    actions.register_action("attest.assignment_exempt")(ExemptionLogFormatter)
    actions.register_action("attest.roster_import")(RosterImportLogFormatter)
    actions.register_action(LOG_APPLIED)(IdentityChangeLogFormatter)
    actions.register_action(LOG_REQUESTED)(IdentityChangeRequestLogFormatter)
    actions.register_action(LOG_REJECTED)(IdentityChangeRejectLogFormatter)
