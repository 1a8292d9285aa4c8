"""``{% official_accounts_leaver_panel %}``: the count of leavers who can still sign in to an
official account, with a link to the tasks, for HR's dashboards."""

from django import template

from ..official_accounts.admin import RECORD_REMOVAL
from ..official_accounts.selectors import open_removal_task_count

register = template.Library()


@register.inclusion_tag("attest/official_accounts/_leaver_panel.html", takes_context=True)
def official_accounts_leaver_panel(context):
    request = context.get("request")
    if request is None or not request.user.has_perm(RECORD_REMOVAL):
        return {"hidden": True}
    return {"count": open_removal_task_count()}
