"""Managers: the weekly escalation of their overdue people, and the nudge they send themselves."""

import datetime
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..hierarchy import in_line, line_prefix
from ..models import Assignment, Employee, EmployeeStatus, ReminderKind
from .delivery import Email, absolute_url, deliver, iso_week
from .employees import chased_assignments, reminder_email

logger = logging.getLogger(__name__)


def _escalation_target(employee: Employee, chain: dict[int, tuple[int | None, bool]]) -> int | None:
    """The nearest manager above ``employee`` who is at work to receive the email."""
    seen = set()
    manager_id = employee.manager_id
    while manager_id is not None and manager_id not in seen:
        seen.add(manager_id)
        next_up, at_work = chain.get(manager_id, (None, False))
        if at_work:
            return manager_id
        manager_id = next_up
    return None


def manager_escalations(*, today: datetime.date | None = None) -> list[Email]:
    """One summary per manager per ISO week, listing their reports overdue for at least
    ``ATTEST_ESCALATE_AFTER_DAYS`` days. A manager who is away is skipped for the next one up."""
    today = today or timezone.localdate()
    threshold = today - datetime.timedelta(days=settings.ATTEST_ESCALATE_AFTER_DAYS)
    overdue = list(
        chased_assignments(today=today)
        .filter(due_on__lte=threshold, employee__manager__isnull=False)
        .order_by("employee__last_name", "employee__first_name", "due_on")
    )
    if not overdue:
        return []
    chain = {
        pk: (manager_id, status == EmployeeStatus.ACTIVE and active)
        for pk, manager_id, status, active in Employee.objects.values_list(
            "pk", "manager_id", "status", "user__is_active"
        )
    }
    by_manager: dict[int, list[Assignment]] = {}
    for assignment in overdue:
        target = _escalation_target(assignment.employee, chain)
        if target is not None:
            by_manager.setdefault(target, []).append(assignment)
    managers = Employee.objects.in_bulk(list(by_manager))
    week = iso_week(today)
    emails = []
    for manager_id, assignments in sorted(by_manager.items()):
        manager = managers[manager_id]
        rows = [
            {
                "name": a.employee.full_name,
                "employee_id": a.employee.employee_id,
                "policy": a.version.title_in(manager.language),
                "version": a.version.number,
                "due_on": a.due_on,
                "days_overdue": (today - a.due_on).days,
            }
            for a in assignments
        ]
        emails.append(
            Email(
                kind=ReminderKind.ESCALATION,
                dedupe_key=f"escalation:{manager.pk}:{week}",
                recipient=manager.email,
                template="escalation",
                language=manager.language,
                context={
                    "manager": manager,
                    "rows": rows,
                    "days": settings.ATTEST_ESCALATE_AFTER_DAYS,
                    "link": absolute_url(reverse("team_dashboard")),
                },
                employee_id=manager.pk,
            )
        )
    return emails


def team_nudge(*, manager: Employee, assignment_id: int | None = None, today: datetime.date | None = None) -> int:
    """A manager reminds the overdue people in their reporting line (one of them, by one of
    their assignments, or all): the overdue email for each person's longest-overdue assignment,
    at most once per person per day (``nudge:<employee>:<day>``). Returns how many went out now;
    people outside the line are never found."""
    today = today or timezone.localdate()
    overdue = chased_assignments(today=today).filter(
        in_line(line_prefix(manager), "employee__managers_path"), due_on__lt=today
    )
    if assignment_id is not None:
        person = overdue.filter(pk=assignment_id).values_list("employee_id", flat=True)
        overdue = overdue.filter(employee_id__in=list(person))
    first: dict[int, Assignment] = {}
    for assignment in overdue.order_by("due_on", "pk"):
        first.setdefault(assignment.employee_id, assignment)
    emails = [
        reminder_email(
            assignment,
            kind=ReminderKind.OVERDUE,
            dedupe_key=f"nudge:{assignment.employee_id}:{today.isoformat()}",
            today=today,
        )
        for assignment in first.values()
    ]
    sent = deliver(emails)
    logger.info("Manager %s nudged %s of %s overdue people.", manager.pk, sent, len(emails))
    return sent
