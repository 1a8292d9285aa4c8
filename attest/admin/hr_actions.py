"""HR's actions on chosen assignments (reminders, exemptions) and the drill-down they start from."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter


class ReminderLogFormatter(LogFormatter):
    label = gettext_lazy("Send a reminder")

    def format_message(self, log_entry):
        return _("Reminder emailed to %(recipient)s") % {"recipient": log_entry.data.get("recipient", "")}
