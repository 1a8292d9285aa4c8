"""API tokens in the admin (Settings → API tokens): HR creates one (its secret is shown once,
then only a hash is kept), sees when each was last used, and revokes it. A token is never edited
or deleted: creation and revocation go to the audit log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, View
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from training.admin_display import ReadableInspectView
from training.permissions import AppendOnlyPermissionPolicy

from ..api.forms import ApiTokenForm
from ..api.models import ApiToken
from ..api.tokens import api_token_create, api_token_revoke

ADD_PERMISSION, REVOKE_PERMISSION = "attest.add_apitoken", "attest.revoke_apitoken"

register_permission_policy(ApiToken, AppendOnlyPermissionPolicy(ApiToken, allowed_actions=("add", "view")))


class ApiTokenCreateView(WagtailAdminTemplateMixin, FormView):
    template_name = "attest/admin/api_token_form.html"
    form_class = ApiTokenForm
    page_title = gettext_lazy("New API token")
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("api_tokens:index"), "label": _("API tokens")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("api_tokens:index"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            token, secret = api_token_create(
                name=data["name"], scopes=data["scopes"], manager=data["manager"], by=self.request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.template_name = "attest/admin/api_token_created.html"
        response = self.render_to_response(
            self.get_context_data(form=None, token=token, secret=secret, index_url=reverse("api_tokens:index"))
        )
        response["Cache-Control"] = "no-store"  # the secret must stay in no cache, not even the browser's
        return response


class ApiTokenRevokeView(WagtailAdminTemplateMixin, View):
    template_name = "attest/admin/api_token_revoke.html"
    page_title = gettext_lazy("Revoke an API token")
    header_icon = "key"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, pk, **kwargs):
        if not request.user.has_perm(REVOKE_PERMISSION):
            raise PermissionDenied
        self.token = get_object_or_404(ApiToken.objects.select_related("manager"), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("api_tokens:index"), "label": _("API tokens")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request):
        return self.render_to_response(self.get_context_data(token=self.token, cancel_url=reverse("api_tokens:index")))

    def post(self, request):
        if api_token_revoke(token=self.token, by=request.user):
            messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": self.token.name})
        else:
            messages.warning(request, _("Token “%(name)s” was already revoked.") % {"name": self.token.name})
        return redirect("api_tokens:index")


class ApiTokenIndexView(IndexView):
    def get_base_queryset(self):
        return ApiToken.objects.select_related("manager", "created_by")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.revoked_at is None and self.request.user.has_perm(REVOKE_PERMISSION):
            buttons.append(
                Button(_("Revoke"), url=reverse("api_tokens:revoke", args=[instance.pk]), icon_name="bin", priority=5)
            )
        return buttons


def _scopes(token: ApiToken) -> str:
    return ", ".join(token.scopes)


def _reach(token: ApiToken) -> str:
    return str(token.manager) if token.manager_id else _("Everyone")


class ApiTokenViewSet(ModelViewSet):
    model = ApiToken
    icon = "key"
    menu_label = gettext_lazy("API tokens")
    add_to_settings_menu = True
    index_view_class = ApiTokenIndexView
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    form_fields = []
    inspect_view_fields = [
        "name",
        "prefix",
        "scopes",
        "manager",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_by",
    ]

    @cached_property
    def list_display(self):
        return [
            TitleColumn("name", label=gettext_lazy("Name"), get_url=lambda token: self.get_inspect_url(token)),
            Column("prefix", label=gettext_lazy("Starts with")),
            Column("scopes", label=gettext_lazy("Scopes"), accessor=_scopes),
            Column("reach", label=gettext_lazy("Sees"), accessor=_reach),
            DateColumn("created_at", label=gettext_lazy("Created")),
            DateColumn("last_used_at", label=gettext_lazy("Last used")),
            DateColumn("revoked_at", label=gettext_lazy("Revoked")),
        ]

    def get_inspect_url(self, token):
        return reverse(self.get_url_name("inspect"), args=[token.pk])

    @cached_property
    def add_view(self):
        return ApiTokenCreateView.as_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", ApiTokenRevokeView.as_view(), name="revoke"),
        ]


class ApiTokenCreatedLogFormatter(LogFormatter):
    label = gettext_lazy("API token created")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        values = {
            "name": data.get("name", ""),
            "scopes": ", ".join(data.get("scopes", [])),
            "manager": data.get("manager", ""),
        }
        if values["manager"]:
            return _("API token “%(name)s” created with %(scopes)s, for the line of %(manager)s") % values
        return _("API token “%(name)s” created with %(scopes)s") % values


class ApiTokenRevokedLogFormatter(LogFormatter):
    label = gettext_lazy("API token revoked")

    def format_message(self, log_entry):
        return _("API token “%(name)s” revoked") % {"name": (log_entry.data or {}).get("name", "")}
