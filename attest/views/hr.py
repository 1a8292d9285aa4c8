"""HR's actions in the admin: the drill-down people list, reminders and exemptions on chosen
assignments, and the assignment's own page with its actions.

Views stay thin: they check the permission, read the request and hand over to ``drilldown``
(reads) and ``hr_actions`` (writes).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import View
from wagtail.admin.auth import permission_required
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from training.admin_display import ReadableInspectView

from .. import reports
from ..models import Assignment
from ..reports import drilldown
from ..selectors import OPEN_STATUSES
from ..services import AttestationError, hr_actions
from ..status import AssignmentStatus
from .reports import (
    HR_PERMISSION,
    PEOPLE_PER_PAGE,
    _base_context,
    _export_links,
    _filters_or_errors,
    _link,
    _selection,
    hr_scope,
)

CHANGE_PERMISSION = "attest.change_assignment"
ERROR_BAD_CHOICE = gettext_lazy("The chosen assignments could not be read. Reload the page and choose again.")
SKIP_LABELS = {
    hr_actions.SKIP_ALREADY_TODAY: gettext_lazy("already emailed today"),
    hr_actions.SKIP_NOT_OPEN: gettext_lazy("completed, exempt or cancelled"),
    hr_actions.SKIP_AWAY: gettext_lazy("on leave, gone or not started yet"),
    hr_actions.SKIP_FAILED: gettext_lazy("the mail server did not take it; try again later"),
    hr_actions.SKIP_NOT_FOUND: gettext_lazy("no longer exists"),
}


# --- The drill-down ------------------------------------------------------------------------


@require_GET
@permission_required(HR_PERMISSION)
def admin_people(request):
    scope = hr_scope()
    choices = reports.filter_choices(scope=scope.people)
    form, filters = _filters_or_errors(request, scope, choices)
    context = _base_context(scope, form, filters, _("People"))
    context["keep"] = [(name, request.GET[name]) for name in ("dimension", "key", "status") if request.GET.get(name)]
    if filters is not None:
        selection = _selection(request)
        active = drilldown.active_filters(filters, selection, default_as_of=timezone.localdate())
        paginator = Paginator(drilldown.rows(filters, selection), PEOPLE_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        query = {**filters.query_params(), **selection.query_params()}
        context.update(
            {
                "page_title": drilldown.title(selection, active),
                "active_filters": active,
                "selection": selection,
                "page": page,
                "people": [drilldown.row_dict(row) for row in page.object_list],
                "status_labels": reports.STATUS_GROUP_LABELS,
                "query": urlencode(query),
                "here": request.get_full_path(),
                "can_act": request.user.has_perm(CHANGE_PERMISSION),
                "open_statuses": reports.OPEN,
                "dashboard_link": _link(scope.url("dashboard"), filters.query_params()),
                "exports": _export_links(scope, filters, selection),
            }
        )
    return render(request, "attest/reports/admin_people.html", context)


# --- Acting on chosen assignments ----------------------------------------------------------


def _back(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("attest_compliance_people")


def _chosen(request) -> list[int] | None:
    """The assignments a request acts on: the row's button (``assignment``), else the ticked
    boxes (``selected``). None when a value is not a number."""
    values = [request.POST["assignment"]] if request.POST.get("assignment") else request.POST.getlist("selected")
    if not all(value.isdigit() and len(value) < 12 for value in values):
        return None
    return sorted({int(value) for value in values})


def _checked(request, ids) -> str | None:
    if ids is None:
        return str(ERROR_BAD_CHOICE)
    if not ids:
        return str(hr_actions.ERROR_NOTHING_CHOSEN)
    if len(ids) > hr_actions.MAX_SELECTION:
        return str(hr_actions.ERROR_TOO_MANY_CHOSEN % {"limit": hr_actions.MAX_SELECTION})
    return None


def skipped_reasons(outcome: hr_actions.Outcome) -> str:
    """E.g. "already emailed today (1), on leave, gone or not started yet (1)"."""
    return ", ".join(
        f"{SKIP_LABELS[reason]} ({number})" for reason, number in sorted(outcome.skipped.items()) if number
    )


@require_POST
@permission_required(CHANGE_PERMISSION)
def remind(request):
    """Remind the holders of one assignment or of the ticked ones; one message says what happened."""
    back = _back(request)
    ids = _chosen(request)
    if error := _checked(request, ids):
        messages.error(request, error)
        return redirect(back)
    if not hr_actions.remind_allowed(request.user.pk):
        messages.error(request, str(hr_actions.ERROR_REMIND_TOO_MANY))
        return redirect(back)
    outcome = hr_actions.assignments_remind(assignment_ids=ids, by=request.user)
    if outcome.done:
        count = len(outcome.done)
        messages.success(
            request, ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", count) % {"count": count}
        )
    if any(outcome.skipped.values()):
        count = sum(outcome.skipped.values())
        message = ngettext(
            "%(count)s reminder not sent: %(reasons)s.", "%(count)s reminders not sent: %(reasons)s.", count
        )
        (messages.warning if outcome.done else messages.info)(
            request, message % {"count": count, "reasons": skipped_reasons(outcome)}
        )
    return redirect(back)


class BulkExemptView(WagtailAdminTemplateMixin, View):
    """Exempt the ticked assignments with one reason. The first POST (from the drill-down) shows
    what was chosen and asks for the reason; the second, with ``confirm``, exempts."""

    template_name = "attest/admin/bulk_exempt.html"
    page_title = gettext_lazy("Exempt the chosen assignments")
    header_icon = "minus"
    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("attest_compliance_people"), "label": _("People")},
            {"url": "", "label": self.get_page_title()},
        ]

    def post(self, request):
        back = _back(request)
        ids = _chosen(request)
        if error := _checked(request, ids):
            messages.error(request, error)
            return redirect(back)
        reason = request.POST.get("reason", "")
        error = None
        if "confirm" in request.POST:
            try:
                outcome = hr_actions.assignments_exempt(assignment_ids=ids, reason=reason, by=request.user)
            except AttestationError as refused:
                error = str(refused)
            else:
                count = len(outcome.done)
                messages.success(
                    request,
                    ngettext("%(count)s assignment exempted.", "%(count)s assignments exempted.", count)
                    % {"count": count},
                )
                if any(outcome.skipped.values()):
                    count = sum(outcome.skipped.values())
                    message = ngettext(
                        "%(count)s assignment left as it was: %(reasons)s.",
                        "%(count)s assignments left as they were: %(reasons)s.",
                        count,
                    )
                    messages.info(request, message % {"count": count, "reasons": skipped_reasons(outcome)})
                return redirect(back)
        chosen = list(
            Assignment.objects.with_status()
            .filter(pk__in=ids)
            .select_related("employee", "requirement", "version__policy")
            .order_by("employee__last_name", "employee__first_name", "pk")
        )
        for assignment in chosen:
            assignment.status_label = AssignmentStatus(assignment.status).label
            assignment.completed = assignment.status in (AssignmentStatus.COMPLETED, AssignmentStatus.COMPLETED_LATE)
        context = self.get_context_data(
            chosen=chosen,
            ids=ids,
            reason=reason,
            error=error,
            next=back,
            any_completed=any(assignment.completed for assignment in chosen),
        )
        return self.render_to_response(context)


# --- The assignment's own page -------------------------------------------------------------


class AssignmentInspectView(ReadableInspectView):
    """The assignment's page: every detail the drill-down leaves out, and its actions (exempt,
    send a reminder, quiz attempts) as buttons."""

    template_name = "attest/admin/assignment_inspect.html"

    def get_object(self, queryset=None):
        rows = Assignment.objects.with_status().select_related("employee", "version__policy")
        return get_object_or_404(rows, pk=self.pk)

    @cached_property
    def is_open(self) -> bool:
        return self.object.status in OPEN_STATUSES

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.is_open and self.request.user.has_perm(CHANGE_PERMISSION):
            buttons.append(
                HeaderButton(
                    _("Exempt"),
                    url=reverse("assignments:exempt", args=[self.object.pk]),
                    icon_name="minus",
                    priority=10,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        detail = (
            reports.detail_queryset(reports.ReportFilters())
            .filter(pk=self.object.pk)
            .values_list(*(f"r_{name}" for name in reports.COLUMNS))
            .first()
        )
        context.update(
            assignment=self.object,
            is_open=self.is_open,
            can_act=self.request.user.has_perm(CHANGE_PERMISSION),
            status_label=AssignmentStatus(self.object.status).label,
            detail=dict(zip(reports.COLUMNS, detail, strict=True)) if detail else {},
            employee_url=reverse("employees:edit", args=[self.object.employee_id]),
            here=self.request.get_full_path(),
        )
        return context
