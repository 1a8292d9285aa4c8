"""HR: who counts as HR, and their weekly digest."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from ..declines.models import Decline, declined
from ..models import Assignment, Employee, EmployeeStatus, ReminderKind
from ..permissions import HR_PERMISSION
from ..status import AssignmentStatus
from .delivery import Email, absolute_url, iso_week


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
