"""The "Official accounts" area of the admin: the register, each account's holders and reviews,
leavers' access-removal tasks, and HR's reports and exports.

Who sees what: the register and the tasks need the ``attest`` permissions on official accounts
and removal tasks (HR and the social-media leads, ``cms.roles``); the reports and exports only
HR (``attest.view_assignment``). Nothing is deleted here: removals and reviews are recorded.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton

from ..permissions import HR_PERMISSION
from .exports import register_csv, register_xlsx
from .forms import AccessGrantForm, NoteForm, OfficialAccountForm, ReviewForm
from .models import AccessRemovalTask, AccessReview, AccountAccess, OfficialAccount
from .selectors import accounts_with_holders, open_removal_tasks, register_report
from .services import AccountError, access_grant, access_remove, account_save, removal_record, review_record

VIEW_REGISTER = "attest.view_officialaccount"
CHANGE_REGISTER = "attest.change_officialaccount"
RECORD_REMOVAL = "attest.change_accessremovaltask"


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _flash_error(form, field: str | None, error: AccountError) -> None:
    form.add_error(field, str(error.args[0]))


# --- The register -----------------------------------------------------------------------------


def _holders(account: OfficialAccount) -> str:
    return ", ".join(f"{a.holder_name} ({a.get_role_display()})" for a in account.holders)


class AccountIndexView(IndexView):
    def get_base_queryset(self):
        return accounts_with_holders()

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            ListingButton(
                _("Access & reviews"), url=reverse("official_accounts:access", args=[instance.pk]), icon_name="key"
            ),
        ]

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(HR_PERMISSION):
            buttons.append(HeaderButton(_("Reports"), url=reverse("account_reports:index"), icon_name="table"))
        return buttons


class AccountSaveMixin:
    def save_instance(self):
        return account_save(account=self.form.instance)


class AccountCreateView(AccountSaveMixin, CreateView):
    def get_success_url(self):
        return reverse("official_accounts:access", args=[self.object.pk])


class AccountEditView(AccountSaveMixin, EditView):
    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Access & reviews"), url=reverse("official_accounts:access", args=[self.object.pk]), icon_name="key"
            ),
        ]


class AccountPageMixin(WagtailAdminTemplateMixin):
    header_icon = "key"
    permission = VIEW_REGISTER

    def dispatch(self, request, *args, pk, **kwargs):
        _require(request, self.permission)
        self.account = get_object_or_404(OfficialAccount, pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.account)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("official_accounts:index"), "label": _("Official accounts")},
            {"url": "", "label": str(self.account)},
        ]


class AccountAccessView(AccountPageMixin, FormView):
    """Who can sign in now, who could before (with who removed them, when and why), the reviews,
    and a form to give someone access."""

    template_name = "attest/official_accounts/access.html"
    form_class = AccessGrantForm
    page_title = gettext_lazy("Access & reviews")

    def post(self, request, *args, **kwargs):
        _require(request, CHANGE_REGISTER)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        accesses = list(
            AccountAccess.objects.filter(account=self.account)
            .select_related("employee", "granted_by", "removed_by")
            .order_by("removed_at", "role", "pk")
        )
        can_change = self.request.user.has_perm(CHANGE_REGISTER)
        return super().get_context_data(
            account=self.account,
            holders=[a for a in accesses if a.removed_at is None],
            former=[a for a in accesses if a.removed_at is not None],
            reviews=AccessReview.objects.filter(account=self.account).select_related("reviewed_by")[:20],
            can_change=can_change,
            remove_form=NoteForm(),
            overdue=bool(self.account.next_review_on and self.account.next_review_on < timezone.localdate()),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            access = access_grant(
                account=self.account,
                role=form.cleaned_data["role"],
                by=self.request.user,
                employee=form.cleaned_data["employee"],
                external_name=form.cleaned_data["external_name"],
                external_email=form.cleaned_data["external_email"],
            )
        except AccountError as error:
            _flash_error(form, None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s can now sign in to %(account)s.") % {"name": access.holder_name, "account": self.account},
        )
        return redirect("official_accounts:access", self.account.pk)


class AccessRemoveView(AccountPageMixin, FormView):
    template_name = "attest/official_accounts/remove.html"
    form_class = NoteForm
    page_title = gettext_lazy("Remove access")
    permission = CHANGE_REGISTER

    def dispatch(self, request, *args, access_pk, **kwargs):
        self.access_pk = access_pk
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def access(self):
        return get_object_or_404(
            AccountAccess.objects.active().select_related("employee"), pk=self.access_pk, account=self.account
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(access=self.access, account=self.account, **kwargs)

    def form_valid(self, form):
        try:
            access_remove(access=self.access, by=self.request.user, note=form.cleaned_data["note"])
        except AccountError as error:
            _flash_error(form, "note", error)
            return self.form_invalid(form)
        messages.success(self.request, _("Access of %(name)s recorded as removed.") % {"name": self.access.holder_name})
        return redirect("official_accounts:access", self.account.pk)


class AccountReviewView(AccountPageMixin, FormView):
    template_name = "attest/official_accounts/review.html"
    form_class = ReviewForm
    page_title = gettext_lazy("Record an access review")
    permission = CHANGE_REGISTER

    @cached_property
    def holders(self):
        return list(
            AccountAccess.objects.active()
            .filter(account=self.account)
            .select_related("employee")
            .order_by("role", "pk")
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "holders": self.holders}

    def get_context_data(self, **kwargs):
        return super().get_context_data(account=self.account, **kwargs)

    def form_valid(self, form):
        try:
            review = review_record(
                account=self.account,
                by=self.request.user,
                keep=form.cleaned_data["keep"],
                seen=form.cleaned_data["seen"],
                note=form.cleaned_data["note"],
            )
        except AccountError as error:
            _flash_error(form, None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Review recorded: %(kept)d confirmed, %(removed)d removed. Next review due %(date)s.")
            % {"kept": len(review.kept), "removed": len(review.removed), "date": self.account_next_review()},
        )
        return redirect("official_accounts:access", self.account.pk)

    def account_next_review(self) -> str:
        self.account.refresh_from_db()
        return date_format(self.account.next_review_on)


class OfficialAccountViewSet(ModelViewSet):
    model = OfficialAccount
    icon = "key"
    menu_label = gettext_lazy("Register")
    index_view_class = AccountIndexView
    add_view_class = AccountCreateView
    edit_view_class = AccountEditView
    copy_view_enabled = False
    form_fields = OfficialAccountForm._meta.fields
    list_display = [
        "__str__",
        "department",
        "language",
        "sign_in_protection",
        Column("holders", label=gettext_lazy("Who can sign in"), accessor=_holders),
        Column("open_tasks", label=gettext_lazy("Leavers to remove"), accessor="open_tasks"),
        "next_review_on",
    ]
    list_filter = ["platform", "sign_in_protection", "language"]
    search_fields = ["handle", "department", "purpose"]
    search_backend_name = None

    def get_form_class(self, for_update=False):
        return OfficialAccountForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [
            *[pattern for pattern in super().get_urlpatterns() if pattern.name != "delete"],
            path("access/<int:pk>/", AccountAccessView.as_view(), name="access"),
            path("access/<int:pk>/remove/<int:access_pk>/", AccessRemoveView.as_view(), name="remove"),
            path("review/<int:pk>/", AccountReviewView.as_view(), name="review"),
        ]


# --- Leavers' access-removal tasks ------------------------------------------------------------


class RemovalTaskListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "attest/official_accounts/removal_tasks.html"
    page_title = gettext_lazy("Leavers' access to remove")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        _require(request, RECORD_REMOVAL)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        done = (
            AccessRemovalTask.objects.filter(done_at__isnull=False)
            .select_related("account", "employee", "access", "done_by")
            .order_by("-done_at")[:50]
        )
        return super().get_context_data(tasks=list(open_removal_tasks()), done=list(done), **kwargs)


class RemovalRecordView(WagtailAdminTemplateMixin, FormView):
    template_name = "attest/official_accounts/removal_record.html"
    form_class = NoteForm
    page_title = gettext_lazy("Record that access was removed")
    header_icon = "warning"

    def dispatch(self, request, *args, pk, **kwargs):
        _require(request, RECORD_REMOVAL)
        self.task = get_object_or_404(AccessRemovalTask.objects.select_related("account", "employee", "access"), pk=pk)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("account_removal_tasks:index"), "label": _("Leavers' access to remove")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(task=self.task, **kwargs)

    def form_valid(self, form):
        try:
            removal_record(task=self.task, by=self.request.user, note=form.cleaned_data["note"])
        except AccountError as error:
            _flash_error(form, "note", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded: %(name)s can no longer sign in to %(account)s.")
            % {"name": self.task.employee.full_name, "account": self.task.account},
        )
        return redirect("account_removal_tasks:index")


class PermissionMenuViewSet(ViewSet):
    permission = ""

    @property
    def menu_item_class(self):
        permission = self.permission

        class PermissionMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(permission)

        return PermissionMenuItem


class RemovalTaskViewSet(PermissionMenuViewSet):
    icon = "warning"
    menu_label = gettext_lazy("Leavers' access")
    permission = RECORD_REMOVAL

    def get_urlpatterns(self):
        return [
            path("", RemovalTaskListView.as_view(), name="index"),
            path("record/<int:pk>/", RemovalRecordView.as_view(), name="record"),
        ]


# --- HR's reports and exports -------------------------------------------------------------------


class AccountReportView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "attest/official_accounts/reports.html"
    page_title = gettext_lazy("Official accounts: reports")
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        _require(request, HR_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=register_report(), **kwargs)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def register_export(request, fmt):
    _require(request, HR_PERMISSION)
    if fmt not in EXPORT_TYPES:
        raise Http404
    response = HttpResponse(content_type=EXPORT_TYPES[fmt])
    if fmt == "csv":
        response.write(register_csv())
    else:
        register_xlsx(response)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="official-accounts-{stamp}.{fmt}"'
    return response


class AccountReportViewSet(PermissionMenuViewSet):
    icon = "table"
    menu_label = gettext_lazy("Reports")
    permission = HR_PERMISSION

    def get_urlpatterns(self):
        return [
            path("", AccountReportView.as_view(), name="index"),
            path("export/<slug:fmt>/", register_export, name="export"),
        ]


class OfficialAccountsViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Official accounts")
    menu_icon = "key"
    menu_order = 220
    items = (
        OfficialAccountViewSet("official_accounts"),
        RemovalTaskViewSet("account_removal_tasks"),
        AccountReportViewSet("account_reports"),
    )
