"""Sign-in email changes waiting for, or decided by, a second HR person."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from ...identity import IdentityChangeError, identity_change_approve, identity_change_reject
from ...models import IdentityChange, IdentityChangeOutcome, IdentityChangeSource
from .roster_import import _can_import


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
