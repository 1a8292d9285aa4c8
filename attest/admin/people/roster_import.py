"""The roster import in the admin: upload, preview every problem, confirm (staged in the database, so any app server can confirm)."""

import secrets
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ...forms.people import RosterUploadForm
from ...roster import roster_import, roster_upload_discard, roster_upload_stage, roster_upload_take

ROSTER_PERMISSIONS = ("attest.add_employee", "attest.change_employee")


ROSTER_SESSION_KEY = "attest_roster_upload"


ROSTER_PREVIEW_ERRORS = 500


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
