"""Registers the official-accounts register (``attest.official_accounts.admin``) in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from training.permissions import AppendOnlyPermissionPolicy

from ..official_accounts.models import AccessRemovalTask, AccessReview, AccountAccess, OfficialAccount

# The register is history: accounts are described and corrected, never deleted; access, tasks and
# reviews change only through the services.
register_permission_policy(
    OfficialAccount, AppendOnlyPermissionPolicy(OfficialAccount, allowed_actions=("add", "change", "view"))
)
for _model in (AccountAccess, AccessRemovalTask, AccessReview):
    register_permission_policy(_model, AppendOnlyPermissionPolicy(_model, allowed_actions=("change", "view")))


class LeaverTasksPanel(Component):
    """On the admin's home page: how many leavers can still sign in to an official account."""

    name = "official_account_leavers"
    order = 90
    template_name = "attest/official_accounts/_leaver_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context=None):
        return {"count": self.count}


class AccessGrantLogFormatter(LogFormatter):
    label = _("Access to an official account given")

    def format_message(self, log_entry):
        return _("%(holder)s given access as %(role)s") % log_entry.data


class AccessRemoveLogFormatter(LogFormatter):
    label = _("Access to an official account removed")

    def format_message(self, log_entry):
        return _("Access of %(holder)s removed: %(note)s") % log_entry.data


class AccessReviewLogFormatter(LogFormatter):
    label = _("Access review recorded")

    def format_message(self, log_entry):
        return _("Access review: %(kept)s confirmed, %(removed)s removed") % log_entry.data
