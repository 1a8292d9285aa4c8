"""The "Compliance" area of the admin: HR's dashboard, drill-downs, exports and quiz insight.

Only people with ``attest.view_assignment`` (the HR group) see the menu item or reach the pages;
policy editors and legal reviewers do not. The drill-down to people is in ``hr_actions``.
"""

from wagtail.admin.menu import MenuItem

from ..permissions import HR_PERMISSION


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(HR_PERMISSION)
