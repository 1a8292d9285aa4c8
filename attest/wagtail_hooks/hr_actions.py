"""HR's actions on chosen assignments (reminders, exemptions) and the drill-down they start from."""

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from .. import views_hr
from ..hr_actions import LOG_REMIND


@hooks.register("register_admin_urls")
def register_hr_action_urls():
    return [
        path("compliance/people/", views_hr.admin_people, name="attest_compliance_people"),
        path("compliance/remind/", views_hr.remind, name="attest_compliance_remind"),
        path("compliance/exempt/", views_hr.BulkExemptView.as_view(), name="attest_compliance_exempt"),
    ]


class ReminderLogFormatter(LogFormatter):
    label = gettext_lazy("Send a reminder")

    def format_message(self, log_entry):
        return _("Reminder emailed to %(recipient)s") % {"recipient": log_entry.data.get("recipient", "")}


@hooks.register("register_log_actions")
def register_hr_log_actions(actions):
    actions.register_action(LOG_REMIND)(ReminderLogFormatter)
