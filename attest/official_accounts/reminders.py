"""Emails about official accounts, sent by ``send_reminders`` with the others (``attest.reminders``):

- **Leavers' access** (``account_leaver``): while a leaver can still sign in to an official
  account, each owner of that account and each HR person gets one email per ISO week listing the
  open tasks they can act on, plus one more that week if a new task opens
  (``account_leaver:u<user>:<week>:<newest task>``).
- **Access review due** (``account_review``): once per review date to each owner of the account,
  or to HR when it has no owner at work (``account_review:<account>:<date>:u<user>``).

In the recipient's language, with ``Auto-Submitted`` like every automatic email.
"""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..models import Employee, ReminderKind
from ..reminders import Email, absolute_url, hr_recipients, iso_week
from .models import AccessRole
from .selectors import account_owners, open_removal_tasks, reviews_due


def _languages(users) -> dict[int, str]:
    return dict(Employee.objects.filter(user__in=[user.pk for user in users]).values_list("user_id", "language"))


def leaver_task_reminders(*, today: datetime.date | None = None) -> list[Email]:
    today = today or timezone.localdate()
    tasks = list(open_removal_tasks())
    if not tasks:
        return []
    owners = account_owners({task.account_id for task in tasks})
    by_user: dict[int, tuple[object, list]] = {}
    for user in hr_recipients():
        by_user[user.pk] = (user, list(tasks))
    for task in tasks:
        for owner in owners.get(task.account_id, []):
            user = owner.user
            entry = by_user.setdefault(user.pk, (user, []))
            if task not in entry[1]:
                entry[1].append(task)
    languages = _languages(user for user, _tasks in by_user.values())
    week = iso_week(today)
    link = absolute_url(reverse("account_removal_tasks:index"))
    emails = []
    for user_pk, (user, mine) in sorted(by_user.items()):
        if not mine or not user.email:
            continue
        emails.append(
            Email(
                kind=ReminderKind.ACCOUNT_LEAVER,
                dedupe_key=f"account_leaver:u{user_pk}:{week}:{max(task.pk for task in mine)}",
                recipient=user.email,
                template="account_leaver",
                language=languages.get(user_pk, settings.LANGUAGE_CODE),
                context={
                    "recipient_name": user.first_name or user.email,
                    "tasks": [
                        {
                            "account": str(task.account),
                            "name": task.employee.full_name,
                            "role": AccessRole(task.access.role).label,  # lazy: rendered in their language
                            "opened_on": timezone.localdate(task.opened_at),
                        }
                        for task in mine
                    ],
                    "link": link,
                },
                employee_id=getattr(getattr(user, "employee", None), "pk", None),
            )
        )
    return emails


def review_due_reminders(*, today: datetime.date | None = None) -> list[Email]:
    today = today or timezone.localdate()
    accounts = list(reviews_due(at=today))
    if not accounts:
        return []
    owners = account_owners(account.pk for account in accounts)
    hr = None
    emails = []
    for account in accounts:
        people = [(owner.user, owner.language, owner.pk) for owner in owners.get(account.pk, [])]
        if not people:
            if hr is None:
                users = list(hr_recipients())
                languages = _languages(users)
                hr = [(user, languages.get(user.pk, settings.LANGUAGE_CODE), None) for user in users]
            people = hr
        for user, language, employee_id in people:
            if not user.email:
                continue
            emails.append(
                Email(
                    kind=ReminderKind.ACCOUNT_REVIEW,
                    dedupe_key=f"account_review:{account.pk}:{account.next_review_on}:u{user.pk}",
                    recipient=user.email,
                    template="account_review",
                    language=language,
                    context={
                        "recipient_name": user.first_name or user.email,
                        "account": str(account),
                        "due_on": account.next_review_on,
                        "link": absolute_url(reverse("official_accounts:review", args=[account.pk])),
                    },
                    employee_id=employee_id,
                )
            )
    return emails
