"""What HR does to chosen assignments from the admin: remind the people holding them, or exempt
them with one reason. Each assignment is recorded in the audit log (Wagtail's log entries).

Reminders reuse ``reminders.deliver`` and its dedupe keys: ``hr_reminder:<assignment>:<day>``
is unique in the reminder log, so the same person is never emailed twice on one day for one
assignment, not even by two HR people clicking at once; and an assignment that already got any
email today (the automatic reminder, a manager's nudge) is skipped too.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import Assignment, EmployeeStatus, ReminderKind, ReminderLog
from ..reminders import deliver, reminder_email
from ..status import end_of_day
from .assignments import ERROR_EXEMPT_REASON, assignment_exempt
from .signing import AttestationError

LOG_REMIND = "attest.assignment_remind"
MAX_SELECTION = 200  # assignments per request: more than a drill-down page, less than a flood
REMIND_LIMIT = 20  # reminder requests per HR person
REMIND_WINDOW = 10 * 60  # seconds

# Why an assignment was not reminded or exempted (keys of ``Outcome.skipped``).
SKIP_ALREADY_TODAY = "already_today"
SKIP_NOT_OPEN = "not_open"
SKIP_AWAY = "away"
SKIP_FAILED = "failed"
SKIP_COMPLETED = "completed"
SKIP_NOT_FOUND = "not_found"

ERROR_REMIND_TOO_MANY = _("You have sent many reminders just now. Try again in a few minutes.")
ERROR_NOTHING_CHOSEN = _("Choose at least one assignment first.")
ERROR_TOO_MANY_CHOSEN = _("Choose at most %(limit)s assignments at a time.")


@dataclass
class Outcome:
    """How many assignments were acted on, and how many were skipped, by reason."""

    done: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)


def remind_allowed(user_pk: int) -> bool:
    """At most ``REMIND_LIMIT`` requests per HR person in ``REMIND_WINDOW`` (the cache is shared by
    every app server). The dedupe keys already stop repeated emails; this stops floods."""
    key = f"hr-remind:{user_pk}:{int(time.time()) // REMIND_WINDOW}"
    cache.add(key, 0, REMIND_WINDOW)
    try:
        return cache.incr(key) <= REMIND_LIMIT
    except ValueError:  # expired between add and incr
        return True


def _kind(assignment: Assignment, today: datetime.date) -> str:
    if assignment.due_on < today:
        return ReminderKind.OVERDUE
    if assignment.due_on == today:
        return ReminderKind.DUE_TODAY
    return ReminderKind.DUE_SOON


def assignments_remind(*, assignment_ids: list[int], by, today: datetime.date | None = None) -> Outcome:
    """Email the holder of each open assignment a reminder in their language, at most once a day
    per assignment. Skips (and counts why) what is finished, people not at work, and what was
    already emailed today. A fixed number of queries plus one per email sent."""
    today = today or timezone.localdate()
    outcome = Outcome()
    found = {
        assignment.pk: assignment
        for assignment in Assignment.objects.filter(pk__in=assignment_ids).select_related("employee__user", "version")
    }
    outcome.skipped[SKIP_NOT_FOUND] += len(set(assignment_ids) - set(found))
    start = end_of_day(today - datetime.timedelta(days=1))
    emailed_today = set(
        ReminderLog.objects.filter(assignment_id__in=list(found), sent_at__gte=start).values_list(
            "assignment_id", flat=True
        )
    )
    emails = {}
    for pk, assignment in sorted(found.items()):
        employee = assignment.employee
        if assignment.completed_at or assignment.exempted_at or assignment.cancelled_at:
            outcome.skipped[SKIP_NOT_OPEN] += 1
        elif employee.status != EmployeeStatus.ACTIVE or not employee.user.is_active or employee.hire_date > today:
            outcome.skipped[SKIP_AWAY] += 1
        elif pk in emailed_today:
            outcome.skipped[SKIP_ALREADY_TODAY] += 1
        else:
            emails[pk] = reminder_email(
                assignment, kind=_kind(assignment, today), dedupe_key=f"hr_reminder:{pk}:{today}", today=today
            )
    if emails:
        before = timezone.now()
        deliver(emails.values())
        logged = dict(
            ReminderLog.objects.filter(dedupe_key__in=[email.dedupe_key for email in emails.values()]).values_list(
                "dedupe_key", "sent_at"
            )
        )
        for pk, email in emails.items():
            sent_at = logged.get(email.dedupe_key)
            if sent_at is None:
                outcome.skipped[SKIP_FAILED] += 1
            elif sent_at < before:  # another request sent it a moment ago
                outcome.skipped[SKIP_ALREADY_TODAY] += 1
            else:
                outcome.done.append(pk)
    for pk in outcome.done:
        log(
            instance=found[pk],
            action=LOG_REMIND,
            user=by,
            data={"recipient": found[pk].employee.email, "day": today.isoformat()},
        )
    return outcome


def assignments_exempt(*, assignment_ids: list[int], reason: str, by) -> Outcome:
    """Exempt each chosen open assignment with the same reason, through ``assignment_exempt`` (one
    audit-log entry per assignment). All or nothing: a completed assignment refuses the whole
    request, so HR never exempts half a selection by mistake. Raises ``AttestationError``."""
    reason = reason.strip()
    if not reason:
        raise AttestationError(ERROR_EXEMPT_REASON)
    outcome = Outcome()
    chosen = list(Assignment.objects.filter(pk__in=assignment_ids).select_related("employee").order_by("pk"))
    completed = [assignment for assignment in chosen if assignment.completed_at]
    if completed:
        raise AttestationError(
            _("Nothing was exempted: %(names)s already completed the training. Leave them out and try again.")
            % {"names": ", ".join(sorted({assignment.employee.full_name for assignment in completed}))}
        )
    with transaction.atomic():
        for assignment in chosen:
            if assignment.exempted_at or assignment.cancelled_at:
                outcome.skipped[SKIP_NOT_OPEN] += 1
                continue
            assignment_exempt(assignment=assignment, reason=reason, by=by)
            outcome.done.append(assignment.pk)
    outcome.skipped[SKIP_NOT_FOUND] += len(set(assignment_ids) - {assignment.pk for assignment in chosen})
    return outcome
