"""Everything due today, in one run: what send_reminders and the task worker call."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from training.models import PolicyPage

from ..models import Employee, ReminderKind
from .delivery import Email, absolute_url, deliver
from .employees import employee_reminders
from .hr import hr_digests
from .managers import manager_escalations

"""Who gets the HR digest: everyone granted this permission through a group or directly (the HR
role). Looked up by permission so ``attest`` needs no knowledge of ``cms``'s group names."""


"""RFC 3834: every email sent from here is automatic, so out-of-office replies stay away."""


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
    from ..official_accounts.reminders import leaver_task_reminders, review_due_reminders  # imports this module

    today = today or timezone.localdate()
    return {
        "employees": deliver(employee_reminders(today=today)),
        "managers": deliver(manager_escalations(today=today)),
        "hr": deliver(hr_digests(today=today)),
        "policy_owners": deliver(review_reminders(today=today)),
        "account_leavers": deliver(leaver_task_reminders(today=today)),
        "account_reviews": deliver(review_due_reminders(today=today)),
    }
