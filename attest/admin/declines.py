"""Declined signatures in the admin: HR and legal read each one (reason, chapter, the
employee's words, the version's text) and write the response once. Nobody adds, edits or
deletes a decline here; the response goes through ``decline_respond``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from training.admin_display import local_time
from training.permissions import AppendOnlyPermissionPolicy

from ..declines.forms import DeclineResponseForm
from ..declines.models import Decline
from ..declines.selectors import decline_for_review
from ..declines.services import DeclineError, decline_respond

VIEW_PERMISSION = "attest.view_decline"
RESPOND_PERMISSION = "attest.change_decline"

register_permission_policy(Decline, AppendOnlyPermissionPolicy(Decline, allowed_actions=("view",)))


def _state(decline: Decline) -> str:
    if decline.responded_at is None:
        return str(gettext_lazy("Awaiting a response"))
    return _("Answered %(when)s") % {"when": local_time(decline.responded_at)}


class DeclineViewSet(ModelViewSet):
    model = Decline
    icon = "warning"
    menu_label = gettext_lazy("Declined signatures")
    add_to_admin_menu = True
    menu_order = 225
    inspect_view_enabled = False
    copy_view_enabled = False
    form_fields = []
    list_display = [
        TitleColumn(
            "employee",
            label=gettext_lazy("employee"),
            get_url=lambda decline: reverse("decline_respond", args=[decline.pk]),
        ),
        "version",
        Column("reason", label=gettext_lazy("reason"), accessor="get_reason_display"),
        "chapter",
        Column("declined_at", label=gettext_lazy("declined at"), accessor=lambda d: local_time(d.declined_at)),
        Column("state", label=gettext_lazy("response"), accessor=_state),
    ]
    list_filter = ["reason", "version"]
    search_fields = ["employee__first_name", "employee__last_name", "employee__employee_id"]

    def get_queryset(self, request):
        return Decline.objects.select_related("employee", "version__policy", "chapter")


class DeclineRespondView(WagtailAdminTemplateMixin, FormView):
    """One decline in full, and the response form while none is written."""

    template_name = "attest/admin/decline_respond.html"
    form_class = DeclineResponseForm
    page_title = gettext_lazy("Declined signature")
    header_icon = "warning"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        try:
            self.decline = decline_for_review(pk)
        except Decline.DoesNotExist as error:
            raise Http404 from error
        self.may_respond = request.user.has_perm(RESPOND_PERMISSION) and self.decline.responded_at is None
        if request.method == "POST" and not self.may_respond:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.decline.employee.full_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("declines:index"), "label": _("Declined signatures")},
            {"url": "", "label": self.decline.employee.full_name},
        ]

    def get_context_data(self, **kwargs):
        decline = self.decline
        return super().get_context_data(
            decline=decline,
            may_respond=self.may_respond,
            version_url=reverse("policy_versions:inspect", args=[decline.version_id]),
            declined_at=local_time(decline.declined_at),
            responded_at=local_time(decline.responded_at) if decline.responded_at else "",
            **kwargs,
        )

    def form_valid(self, form):
        try:
            decline_respond(decline=self.decline, response=form.cleaned_data["response"], by=self.request.user)
        except DeclineError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request, _("Your response is recorded and %(name)s has been told.") % {"name": self.decline.employee}
        )
        return redirect("decline_respond", pk=self.decline.pk)


class DeclineLogFormatter(LogFormatter):
    label = gettext_lazy("Declined to sign")

    def format_message(self, log_entry):
        return _("Declined to sign (decline %(pk)s)") % {"pk": log_entry.data.get("decline", "")}


class DeclineResponseLogFormatter(LogFormatter):
    label = gettext_lazy("Response to a declined signature")

    def format_message(self, log_entry):
        return _("Responded to decline %(pk)s") % {"pk": log_entry.data.get("decline", "")}
