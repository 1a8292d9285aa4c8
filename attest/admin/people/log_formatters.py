"""How the audit log words attest's actions."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter


class ExemptionLogFormatter(LogFormatter):
    label = gettext_lazy("Exempt from assignment")

    def format_message(self, log_entry):
        return _("Exempted: %(reason)s") % {"reason": log_entry.data.get("reason", "")}


class RosterImportLogFormatter(LogFormatter):
    label = gettext_lazy("Roster import")

    def format_message(self, log_entry):
        change = log_entry.data.get("change")
        if change == "created":
            return _("Created by a roster import")
        if change == "deactivated":
            return _("Deactivated by a roster import: missing from the file")
        return _("Updated by a roster import: %(fields)s") % {"fields": ", ".join(log_entry.data.get("fields", []))}


class IdentityChangeLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email changed")

    def format_message(self, log_entry):
        return _("Sign-in email changed: %(old)s → %(new)s (%(reference)s)") % _email_change(log_entry)


class IdentityChangeRequestLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email change requested")

    def format_message(self, log_entry):
        return _(
            "Sign-in email change requested, waiting for a second HR person: %(old)s → %(new)s (%(reference)s)"
        ) % (_email_change(log_entry))


class IdentityChangeRejectLogFormatter(LogFormatter):
    label = gettext_lazy("Sign-in email change rejected")

    def format_message(self, log_entry):
        return _("Sign-in email change rejected: %(old)s → %(new)s (%(reference)s)") % _email_change(log_entry)


def _email_change(log_entry) -> dict:
    data = log_entry.data or {}
    return {"old": data.get("old_email", ""), "new": data.get("new_email", ""), "reference": data.get("reference", "")}
