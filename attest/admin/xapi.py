"""xAPI statements in the admin: HR sees what reached the learning record store, what waits and
what it refused (with its answer), and sends refused statements again; nothing is edited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy

from training.admin_display import ReadableInspectView
from training.models import XapiStatement, XapiStatementStatus
from training.permissions import AppendOnlyPermissionPolicy
from training.xapi.outbox import statements_retry

register_permission_policy(XapiStatement, AppendOnlyPermissionPolicy(XapiStatement, allowed_actions=("view", "change")))


def _can_retry(user) -> bool:
    return user.has_perm("training.change_xapistatement")


def _short_error(row: XapiStatement) -> str:
    return row.last_error[:120]


class XapiStatementIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if _can_retry(self.request.user):
            buttons.append(
                HeaderButton(
                    _("Retry refused statements"), url=reverse("xapi_statements:retry_failed"), icon_name="resubmit"
                )
            )
        return buttons


class XapiStatementRetryView(WagtailAdminTemplateMixin, View):
    """Send refused statements again (one, or all): they wait in the outbox as new, due now."""

    template_name = "attest/admin/xapi_retry.html"
    page_title = gettext_lazy("Retry refused xAPI statements")
    header_icon = "resubmit"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, pk=None, **kwargs):
        if not _can_retry(request.user):
            raise PermissionDenied
        self.rows = XapiStatement.objects.filter(status=XapiStatementStatus.FAILED)
        if pk is not None:
            self.rows = self.rows.filter(pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        rows = list(self.rows.order_by("created_at")[:50])
        context = self.get_context_data(rows=rows, count=self.rows.count(), cancel_url=reverse("xapi_statements:index"))
        return self.render_to_response(context)

    def post(self, request):
        count = statements_retry(ids=self.rows.values_list("pk", flat=True))
        messages.success(
            request,
            ngettext("%(count)d statement will be sent again.", "%(count)d statements will be sent again.", count)
            % {"count": count},
        )
        return redirect("xapi_statements:index")


class RetryColumn(Column):
    cell_template_name = "attest/admin/xapi_retry_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["retry_url"] = (
            reverse("xapi_statements:retry", args=[instance.pk])
            if instance.status == XapiStatementStatus.FAILED
            else ""
        )
        return context


class XapiStatementViewSet(ModelViewSet):
    model = XapiStatement
    icon = "resubmit"
    menu_label = gettext_lazy("xAPI statements")
    add_to_admin_menu = True
    menu_order = 230
    index_view_class = XapiStatementIndexView
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    form_fields = []
    list_display = [
        "verb",
        "object_id",
        "actor_name",
        "status",
        "attempts",
        "next_try_at",
        Column("last_error", label=gettext_lazy("Last error"), accessor=_short_error),
        "created_at",
        RetryColumn("retry", label=gettext_lazy("Retry"), accessor="pk"),
    ]
    list_filter = ["status", "verb"]
    search_fields = ["actor_name", "object_id", "last_error"]
    search_backend_name = None
    ordering = ["-created_at"]
    inspect_view_fields = [
        "id",
        "verb",
        "object_id",
        "actor_name",
        "status",
        "attempts",
        "created_at",
        "next_try_at",
        "sent_at",
        "last_error",
        "statement",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": None, "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
            path("retry/", XapiStatementRetryView.as_view(), name="retry_failed"),
            path("retry/<uuid:pk>/", XapiStatementRetryView.as_view(), name="retry"),
        ]
