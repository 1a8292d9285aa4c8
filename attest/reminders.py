"""Emails that make people act: invitations, reminders before and after the due date, manager
escalations, HR's weekly digest and policy review reminders.

Every email has a dedupe key (``ReminderLog.dedupe_key`` is unique). The log row is inserted in
the same transaction that hands the mail to the mail server: a second run, or a second process
at the same moment, hits the unique constraint and skips, so nothing is sent twice. A mail that
cannot be sent rolls its log row back and goes out on the next run. Each function takes
``today`` so it can be asked about any date; none of them keeps state in memory.
"""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from smtplib import SMTPException

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override
from wagtail.models import Locale

from training.models import PolicyPage

from .company import company_details
from .declines.models import Decline, declined
from .hierarchy import in_line, line_prefix
from .models import Assignment, Employee, EmployeeStatus, ReminderKind, ReminderLog
from .permissions import HR_PERMISSION
from .status import AssignmentStatus

logger = logging.getLogger(__name__)

"""Who gets the HR digest: everyone granted this permission through a group or directly (the HR
role). Looked up by permission so ``attest`` needs no knowledge of ``cms``'s group names."""

_BATCH = 1000

AUTOMATIC_EMAIL_HEADERS = {"Auto-Submitted": "auto-generated"}
"""RFC 3834: every email sent from here is automatic, so out-of-office replies stay away."""


@dataclass
class Email:
    """One email to send at most once. ``context`` may be a callable, so that costly parts (such
    as a password-reset token) are only made for mail that is actually sent."""

    kind: str
    dedupe_key: str
    recipient: str
    template: str
    language: str
    context: dict | Callable[[], dict] = field(default_factory=dict)
    employee_id: int | None = None
    assignment_id: int | None = None


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def company_context() -> dict:
    """The company's name and HR address that sign every email (also allauth's account emails)."""
    company = company_details(None)
    return {
        "company_name": company.name,
        "hr_contact_email": company.hr_contact_email,
        "site_url": absolute_url("/"),
    }


def _render(email: Email, common: dict, connection) -> EmailMultiAlternatives:
    context = email.context() if callable(email.context) else email.context
    context = {**common, **context}
    with override(email.language):
        subject = " ".join(render_to_string(f"emails/{email.template}_subject.txt", context).split())
        text = render_to_string(f"emails/{email.template}.txt", context)
        html = render_to_string(f"emails/{email.template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[email.recipient], connection=connection, headers=AUTOMATIC_EMAIL_HEADERS
    )
    message.attach_alternative(html, "text/html")
    return message


def _already_sent(keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), 900):
        found.update(
            ReminderLog.objects.filter(dedupe_key__in=keys[start : start + 900]).values_list("dedupe_key", flat=True)
        )
    return found


def deliver(emails: Iterable[Email]) -> int:
    """Send each email unless its dedupe key was ever logged; return how many went out now.

    The mail server is only contacted when there is something to send (cron runs this hourly)."""
    sent = 0
    common = None
    connection = None
    try:
        for batch in _batches(emails):
            skip = _already_sent([email.dedupe_key for email in batch])
            for email in batch:
                if email.dedupe_key in skip:
                    continue
                if connection is None:
                    common = company_context()
                    connection = get_connection()
                    connection.open()
                message = _render(email, common, connection)
                try:
                    with transaction.atomic():
                        ReminderLog.objects.create(
                            kind=email.kind,
                            dedupe_key=email.dedupe_key,
                            recipient=email.recipient,
                            employee_id=email.employee_id,
                            assignment_id=email.assignment_id,
                            sent_at=timezone.now(),
                        )
                        message.send()
                except IntegrityError:
                    continue  # another run sent it in the meantime
                except (SMTPException, OSError):
                    logger.exception("Could not send %s to %s; it will be retried.", email.dedupe_key, email.recipient)
                    continue
                sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def _batches(emails: Iterable[Email]) -> Iterator[list[Email]]:
    batch = []
    for email in emails:
        batch.append(email)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


# --- Invitations ------------------------------------------------------------------------------


def invitation_link(user) -> str:
    """allauth's own password-reset link: it lets a new person choose their first password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return absolute_url(path)


def invitations_send(*, employee_ids: list[int]) -> int:
    """Invite new people to set their password. Never twice; not people who left meanwhile or
    who already have a password."""
    employees = (
        Employee.objects.filter(pk__in=employee_ids, user__is_active=True)
        .exclude(status=EmployeeStatus.TERMINATED)
        .select_related("user")
        .order_by("pk")
    )
    days = settings.PASSWORD_RESET_TIMEOUT // 86400

    def email(employee: Employee) -> Email:
        return Email(
            kind=ReminderKind.INVITATION,
            dedupe_key=f"invitation:{employee.pk}",
            recipient=employee.email,
            template="invitation",
            language=employee.language,
            context=lambda: {"employee": employee, "link": invitation_link(employee.user), "valid_days": days},
            employee_id=employee.pk,
        )

    return deliver(email(employee) for employee in employees if not employee.user.has_usable_password())


# --- Employees --------------------------------------------------------------------------------


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


# --- Managers ---------------------------------------------------------------------------------


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


# --- HR ---------------------------------------------------------------------------------------


def hr_recipients():
    app_label, codename = HR_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if permission is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def hr_digest_figures(*, today: datetime.date) -> dict:
    assignments = Assignment.objects.filter(cancelled_at__isnull=True)
    by_status = dict(
        assignments.with_status(at=today)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    overdue = assignments.open().exclude(declined()).filter(due_on__lt=today)
    week_ago = today - datetime.timedelta(days=7)
    return {
        "today": today,
        "statuses": [
            (label, by_status.get(value, 0))
            for value, label in AssignmentStatus.choices
            if value != AssignmentStatus.CANCELLED
        ],
        "overdue": by_status.get(AssignmentStatus.OVERDUE, 0),
        "completed_this_week": assignments.filter(completed_on__gt=week_ago, completed_on__lte=today).count(),
        "escalated": overdue.filter(
            due_on__lte=today - datetime.timedelta(days=settings.ATTEST_ESCALATE_AFTER_DAYS)
        ).count(),
        "on_leave": overdue.filter(employee__status=EmployeeStatus.LEAVE).count(),
        "departments": list(
            overdue.values_list("employee__department")
            .annotate(n=Count("pk"))
            .order_by("-n", "employee__department")[:10]
        ),
        "admin_link": absolute_url(reverse("wagtailadmin_home")),
        "declines": declines_awaiting_response(),
    }


def declines_awaiting_response() -> list[dict]:
    """For HR's digest: every decline still waiting for a response, oldest first, with its link."""
    declines = (
        Decline.objects.filter(responded_at__isnull=True)
        .select_related("employee", "version__policy")
        .order_by("declined_at", "pk")
    )
    return [
        {
            "name": decline.employee.full_name,
            "employee_id": decline.employee.employee_id,
            "policy": decline.version.policy.title,
            "version": decline.version.number,
            "declined_at": decline.declined_at,
            "link": absolute_url(reverse("decline_respond", args=[decline.pk])),
        }
        for decline in declines
    ]


def hr_digests(*, today: datetime.date | None = None) -> list[Email]:
    """HR's weekly digest: where compliance stands and where it is slipping, once per ISO week."""
    today = today or timezone.localdate()
    recipients = list(hr_recipients())
    if not recipients:
        return []
    figures = hr_digest_figures(today=today)
    languages = dict(Employee.objects.filter(user__in=recipients).values_list("user_id", "language"))
    week = iso_week(today)
    return [
        Email(
            kind=ReminderKind.HR_DIGEST,
            dedupe_key=f"hr_digest:{user.pk}:{week}",
            recipient=user.email,
            template="hr_digest",
            language=languages.get(user.pk, settings.LANGUAGE_CODE),
            context={**figures, "recipient_name": user.first_name or user.email, "week": week},
        )
        for user in recipients
    ]


# --- Policy owners ----------------------------------------------------------------------------


def review_reminders(*, today: datetime.date | None = None) -> list[Email]:
    """Tell each policy's owner once its review date has come (once per review date)."""
    today = today or timezone.localdate()
    policies = PolicyPage.objects.filter(
        locale=Locale.get_default(), owner_user__isnull=False, owner_user__is_active=True
    ).select_related("owner_user")
    due = [(policy, policy.next_review_due) for policy in policies]
    due = [(policy, day) for policy, day in due if day and day <= today and policy.owner_user.email]
    languages = dict(
        Employee.objects.filter(user__in=[policy.owner_user for policy, _day in due]).values_list("user_id", "language")
    )
    return [
        Email(
            kind=ReminderKind.REVIEW_DUE,
            dedupe_key=f"review_due:{policy.pk}:{day}",
            recipient=policy.owner_user.email,
            template="review_due",
            language=languages.get(policy.owner_user_id, settings.LANGUAGE_CODE),
            context={
                "policy": policy,
                "due_on": day,
                "owner_name": policy.owner_user.get_full_name() or policy.owner_user.email,
                "link": absolute_url(reverse("wagtailadmin_pages:edit", args=[policy.pk])),
            },
        )
        for policy, day in due
    ]


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Everything that is due today, each email at most once. Safe to run every hour, and from
    several processes at once."""
    from .official_accounts.reminders import leaver_task_reminders, review_due_reminders  # imports this module

    today = today or timezone.localdate()
    return {
        "employees": deliver(employee_reminders(today=today)),
        "managers": deliver(manager_escalations(today=today)),
        "hr": deliver(hr_digests(today=today)),
        "policy_owners": deliver(review_reminders(today=today)),
        "account_leavers": deliver(leaver_task_reminders(today=today)),
        "account_reviews": deliver(review_due_reminders(today=today)),
    }
