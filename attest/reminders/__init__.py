"""Emails that make people act: invitations, reminders before and after the due date, manager
escalations, HR's weekly digest and policy review reminders.

Every email has a dedupe key (``ReminderLog.dedupe_key`` is unique). The log row is inserted in
the same transaction that hands the mail to the mail server: a second run, or a second process
at the same moment, hits the unique constraint and skips, so nothing is sent twice. A mail that
cannot be sent rolls its log row back and goes out on the next run. Each function takes
``today`` so it can be asked about any date; none of them keeps state in memory."""

from .delivery import AUTOMATIC_EMAIL_HEADERS, Email, absolute_url, company_context, deliver, iso_week
from .employees import chased_assignments, employee_reminder, employee_reminders, reminder_email
from .hr import declines_awaiting_response, hr_digest_figures, hr_digests, hr_recipients
from .invitations import invitation_link, invitations_send
from .managers import manager_escalations, team_nudge
from .sending import reminders_send, review_reminders

__all__ = [
    "AUTOMATIC_EMAIL_HEADERS",
    "Email",
    "absolute_url",
    "chased_assignments",
    "company_context",
    "declines_awaiting_response",
    "deliver",
    "employee_reminder",
    "employee_reminders",
    "hr_digest_figures",
    "hr_digests",
    "hr_recipients",
    "invitation_link",
    "invitations_send",
    "iso_week",
    "manager_escalations",
    "reminder_email",
    "reminders_send",
    "review_reminders",
    "team_nudge",
]
