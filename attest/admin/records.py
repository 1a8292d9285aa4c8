"""Signed attestations in the admin: HR can find and inspect them; nobody can add, edit or delete."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from training.admin_display import ReadableInspectView
from training.permissions import AppendOnlyPermissionPolicy

from ..models import Attestation

register_permission_policy(Attestation, AppendOnlyPermissionPolicy(Attestation, allowed_actions=("view",)))


class AttestationViewSet(ModelViewSet):
    model = Attestation
    icon = "doc-full"
    menu_label = _("Attestations")
    add_to_admin_menu = True
    menu_order = 220
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    form_fields = []
    list_display = ["typed_name", "employee_number", "policy_title", "version_number", "locale_code", "signed_at"]
    list_filter = ["policy_title", "version_number", "locale_code", "auth_method"]
    search_fields = ["typed_name", "employee_number", "verification_code"]
    inspect_view_fields = [
        "verification_code",
        "typed_name",
        "employee_number",
        "policy_title",
        "version_number",
        "locale_code",
        "content_sha256",
        "statement",
        "signed_at",
        "auth_method",
        "ip_address",
        "user_agent",
        "quiz_results",
        "corrects",
        "chain_lane",
        "chain_seq",
        "previous_hash",
        "record_hash",
    ]
