"""Who hears of a decline and its response, in their own language, each email at most once
(``reminders.deliver``: logged under a unique key, ``Auto-Submitted: auto-generated``).

The emails name the reason and the chapter but not the employee's own words: those stay in
the admin, behind HR's and legal's permission, and the link leads there."""

from django.conf import settings
from django.urls import reverse

from ..models import Employee, ReminderKind
from ..reminders import Email, absolute_url, deliver, hr_recipients
from .models import Decline


def decline_recipients(decline: Decline) -> list:
    """HR (``reminders.hr_recipients``) and the policy's owner (``PolicyPage.owner_user``) when it
    has one who can receive mail; each address once."""
    people = list(hr_recipients())
    owner = decline.version.policy.owner_user
    if owner is not None and owner.is_active and owner.email:
        people.append(owner)
    unique = {}
    for user in people:
        unique.setdefault(user.email.lower(), user)
    return list(unique.values())


def _languages(users) -> dict[int, str]:
    return dict(Employee.objects.filter(user__in=users).values_list("user_id", "language"))


def decline_notify(*, decline_id: int) -> int:
    decline = Decline.objects.select_related("employee", "version__policy__owner_user", "chapter").get(pk=decline_id)
    recipients = decline_recipients(decline)
    languages = _languages(recipients)
    link = absolute_url(reverse("decline_respond", args=[decline.pk]))
    return deliver(
        Email(
            kind=ReminderKind.DECLINE,
            dedupe_key=f"decline:{decline.pk}:{user.pk}",
            recipient=user.email,
            template="decline_hr",
            language=languages.get(user.pk, settings.LANGUAGE_CODE),
            context={
                "decline": decline,
                "recipient_name": user.get_full_name() or user.email,
                "employee": decline.employee,
                "policy": decline.version.policy.title,
                "link": link,
            },
            employee_id=decline.employee_id,
            assignment_id=decline.assignment_id,
        )
        for user in recipients
    )


def response_notify(*, decline_id: int) -> int:
    decline = Decline.objects.select_related("employee", "version__policy").get(pk=decline_id)
    employee = decline.employee
    return deliver(
        [
            Email(
                kind=ReminderKind.DECLINE_RESPONSE,
                dedupe_key=f"decline_response:{decline.pk}",
                recipient=employee.email,
                template="decline_response",
                language=employee.language,
                context={
                    "decline": decline,
                    "employee": employee,
                    "policy": decline.version.title_in(employee.language),
                    "link": absolute_url(reverse("assignment", args=[decline.assignment_id])),
                },
                employee_id=employee.pk,
                assignment_id=decline.assignment_id,
            )
        ]
    )
