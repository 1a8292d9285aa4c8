"""Provisioning tokens in the admin (Settings → Provisioning tokens): HR creates one per identity
provider (the token is shown once, only its SHA-256 is kept), sees when each was last used, and
revokes it. Provisioning changes show in each employee's history as "Provisioning (SCIM)"."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button, HeaderButton
from wagtail.log_actions import LogFormatter

from ..roster import LOG_PROVISIONING
from .models import ScimToken
from .tokens import LOG_CREATED, LOG_REVOKED, TokenError, token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which identity provider will use it, e.g. “Entra ID”."),
    )


def _state(token: ScimToken) -> str:
    return _("Active") if token.active else _("Revoked")


class TokenIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        if not instance.active or not self.request.user.has_perm("scim.change_scimtoken"):
            return []
        return [
            Button(_("Revoke"), url=reverse("scim_tokens:revoke", args=[instance.pk]), icon_name="cross", priority=10)
        ]

    @property
    def header_buttons(self):
        if not self.request.user.has_perm("scim.add_scimtoken"):
            return []
        return [HeaderButton(_("Create a token"), url=reverse("scim_tokens:add"), icon_name="plus")]


class TokenCreateView(WagtailAdminTemplateMixin, FormView):
    template_name = "scim/admin/token_create.html"
    form_class = TokenForm
    page_title = gettext_lazy("Create a provisioning token")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("scim.add_scimtoken"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cancel_url=reverse("scim_tokens:index"),
            endpoint=self.request.build_absolute_uri(reverse("scim:root")),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            record, token = token_create(name=form.cleaned_data["name"], by=self.request.user)
        except TokenError as error:
            form.add_error("name", str(error))
            return self.form_invalid(form)
        response = self.render_to_response(self.get_context_data(form=form, record=record, token=token))
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(WagtailAdminTemplateMixin, View):
    template_name = "scim/admin/token_revoke.html"
    page_title = gettext_lazy("Revoke a provisioning token")
    header_icon = "cross"

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm("scim.change_scimtoken"):
            raise PermissionDenied
        self.token = get_object_or_404(ScimToken, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_to_response(self.get_context_data(token=self.token, cancel_url=reverse("scim_tokens:index")))

    def post(self, request):
        try:
            token_revoke(token=self.token, by=request.user)
        except TokenError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Token “%(name)s” revoked.") % {"name": self.token.name})
        return redirect("scim_tokens:index")


class ScimTokenViewSet(ModelViewSet):
    model = ScimToken
    icon = "key"
    menu_label = gettext_lazy("Provisioning tokens")
    add_to_settings_menu = True
    index_view_class = TokenIndexView
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["name"]
    list_display = [
        "name",
        Column("prefix", label=gettext_lazy("Starts with"), accessor=lambda token: f"{token.prefix}…"),
        DateColumn("created_at", label=gettext_lazy("Created")),
        DateColumn("last_used_at", label=gettext_lazy("Last used")),
        Column("state", label=gettext_lazy("State"), accessor=_state),
        DateColumn("revoked_at", label=gettext_lazy("Revoked")),
    ]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["name"]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": "scim_tokens:add", "edit_url_name": None, "delete_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("add/", TokenCreateView.as_view(), name="add"),
            path("revoke/<int:pk>/", TokenRevokeView.as_view(), name="revoke"),
        ]


@hooks.register("register_admin_viewset")
def register_scim_tokens():
    return ScimTokenViewSet("scim_tokens")


class ProvisioningLogFormatter(LogFormatter):
    label = gettext_lazy("Provisioning (SCIM)")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        via = data.get("via", "")
        change = data.get("change")
        if change == "created":
            return _("Created by provisioning (%(via)s)") % {"via": via}
        return _("Updated by provisioning (%(via)s): %(fields)s") % {
            "via": via,
            "fields": ", ".join(data.get("fields", [])),
        }


class TokenLogFormatter(LogFormatter):
    label = gettext_lazy("Provisioning token")

    def format_message(self, log_entry):
        name = (log_entry.data or {}).get("name", "")
        if log_entry.action == LOG_CREATED:
            return _("Provisioning token “%(name)s” created") % {"name": name}
        return _("Provisioning token “%(name)s” revoked") % {"name": name}


@hooks.register("register_log_actions")
def register_scim_log_actions(actions):
    actions.register_action(LOG_PROVISIONING)(ProvisioningLogFormatter)
    actions.register_action(LOG_CREATED)(TokenLogFormatter)
    actions.register_action(LOG_REVOKED)(TokenLogFormatter)
