"""The "Compliance" area of the admin: HR's dashboard, drill-downs, exports and quiz insight.

Only people with ``attest.view_assignment`` (the HR group) see the menu item or reach the pages;
policy editors and legal reviewers do not. The drill-down to people is in ``hr_actions``.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .. import views_reports
from ..permissions import HR_PERMISSION


class ComplianceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(HR_PERMISSION)


@hooks.register("register_admin_urls")
def register_compliance_urls():
    return [
        path("compliance/", views_reports.admin_dashboard, name="attest_compliance_dashboard"),
        path("compliance/quiz/", views_reports.admin_quiz, name="attest_compliance_quiz"),
        path("compliance/chart/<slug:slug>.svg", views_reports.admin_chart, name="attest_compliance_chart"),
        path("compliance/export/<slug:fmt>/", views_reports.admin_export, name="attest_compliance_export"),
    ]


@hooks.register("register_admin_menu_item")
def register_compliance_menu_item():
    return ComplianceMenuItem(
        _("Compliance"),
        reverse("attest_compliance_dashboard"),
        name="compliance",
        icon_name="clipboard-list",
        order=230,
    )
