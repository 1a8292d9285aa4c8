"""Reminders to employees: due soon, due today, then weekly while overdue."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..declines.models import declined
from ..models import Assignment, EmployeeStatus, ReminderKind
from .delivery import _BATCH, Email, absolute_url, iso_week


def chased_assignments(*, today: datetime.date):
    """Open assignments of people at work: not on leave, not gone, not exempt, not done, and not
    declined while the decline awaits HR's response (HR's digest lists those instead)."""
    return (
        Assignment.objects.open()
        .exclude(declined())
        .filter(employee__status=EmployeeStatus.ACTIVE, employee__user__is_active=True, employee__hire_date__lte=today)
        .select_related("employee", "version__policy")
    )


def _in_batches(queryset) -> Iterator:
    """Rows in primary-key order, a batch at a time, without holding a cursor open while mail
    is sent and logged."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:_BATCH])
        yield from batch
        if len(batch) < _BATCH:
            return
        last = batch[-1].pk


def _training_link(assignment: Assignment) -> str:
    return absolute_url(reverse("assignment", args=[assignment.pk]))


def employee_reminders(*, today: datetime.date | None = None) -> Iterator[Email]:
    """Due soon (``ATTEST_REMIND_DAYS_BEFORE`` days ahead), due today, and once a week while overdue."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.ATTEST_REMIND_DAYS_BEFORE)
    for assignment in _in_batches(chased_assignments(today=today).filter(due_on__lte=horizon)):
        kind, key = employee_reminder(assignment_pk=assignment.pk, due_on=assignment.due_on, today=today)
        yield reminder_email(assignment, kind=kind, dedupe_key=key, today=today)


def employee_reminder(*, assignment_pk: int, due_on: datetime.date, today: datetime.date) -> tuple[str, str]:
    """Which reminder an open assignment gets on ``today`` (within the reminder horizon), and its
    dedupe key: one "due soon", one "due today", then one "overdue" per ISO week."""
    if due_on > today:
        return ReminderKind.DUE_SOON, f"due_soon:{assignment_pk}:{due_on}"
    if due_on == today:
        return ReminderKind.DUE_TODAY, f"due_today:{assignment_pk}:{due_on}"
    return ReminderKind.OVERDUE, f"overdue:{assignment_pk}:{iso_week(today)}"


def reminder_email(assignment: Assignment, *, kind: str, dedupe_key: str, today: datetime.date) -> Email:
    """The reminder to the person who holds ``assignment``, in their language."""
    employee = assignment.employee
    return Email(
        kind=kind,
        dedupe_key=dedupe_key,
        recipient=employee.email,
        template=f"reminder_{kind}",
        language=employee.language,
        context={
            "employee": employee,
            "assignment": assignment,
            "policy": assignment.version.title_in(employee.language),
            "version": assignment.version.number,
            "days_left": (assignment.due_on - today).days,
            "days_overdue": (today - assignment.due_on).days,
            "link": _training_link(assignment),
        },
        employee_id=employee.pk,
        assignment_id=assignment.pk,
    )
