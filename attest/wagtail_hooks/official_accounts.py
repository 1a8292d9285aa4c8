"""Registers the official-accounts register (``attest.official_accounts.admin``) in the admin."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.log_actions import LogFormatter
from wagtail.permissions import register_permission_policy

from training.permissions import AppendOnlyPermissionPolicy

from ..official_accounts.admin import RECORD_REMOVAL, OfficialAccountsViewSetGroup
from ..official_accounts.models import AccessRemovalTask, AccessReview, AccountAccess, OfficialAccount
from ..official_accounts.selectors import open_removal_task_count
from ..official_accounts.services import LOG_GRANT, LOG_REMOVE, LOG_REVIEW

# The register is history: accounts are described and corrected, never deleted; access, tasks and
# reviews change only through the services.
register_permission_policy(
    OfficialAccount, AppendOnlyPermissionPolicy(OfficialAccount, allowed_actions=("add", "change", "view"))
)
for _model in (AccountAccess, AccessRemovalTask, AccessReview):
    register_permission_policy(_model, AppendOnlyPermissionPolicy(_model, allowed_actions=("change", "view")))


@hooks.register("register_admin_viewset")
def register_official_accounts():
    return OfficialAccountsViewSetGroup()


class LeaverTasksPanel(Component):
    """On the admin's home page: how many leavers can still sign in to an official account."""

    name = "official_account_leavers"
    order = 90
    template_name = "attest/official_accounts/_leaver_panel.html"

    def __init__(self, count: int):
        self.count = count

    def get_context_data(self, parent_context=None):
        return {"count": self.count}


@hooks.register("construct_homepage_panels")
def add_leaver_panel(request, panels):
    if request.user.has_perm(RECORD_REMOVAL):
        panels.append(LeaverTasksPanel(open_removal_task_count()))


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


@hooks.register("register_log_actions")
def register_official_account_log_actions(actions):
    actions.register_action(LOG_GRANT)(AccessGrantLogFormatter)
    actions.register_action(LOG_REMOVE)(AccessRemoveLogFormatter)
    actions.register_action(LOG_REVIEW)(AccessReviewLogFormatter)
