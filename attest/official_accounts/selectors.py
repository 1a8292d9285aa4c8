"""Reads of the register: holders, open leaver tasks, due reviews and HR's three reports.

Accounts number in the dozens and holders in the hundreds, so each read is one or two queries
with everything it shows prefetched; nothing here grows with the number of employees.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from ..models import EmployeeStatus
from .models import PHISHING_RESISTANT, AccessRemovalTask, AccountAccess, OfficialAccount


def active_holders():
    return AccountAccess.objects.active().select_related("employee")


def accounts_with_holders():
    """Every account with its current holders (``holders``), one query for each."""
    return OfficialAccount.objects.prefetch_related(
        Prefetch("accesses", queryset=active_holders().order_by("role", "pk"), to_attr="holders")
    ).annotate(open_tasks=Count("removal_tasks", filter=Q(removal_tasks__done_at__isnull=True)))


def open_removal_tasks():
    return (
        AccessRemovalTask.objects.filter(done_at__isnull=True)
        .select_related("account", "employee", "access")
        .order_by("opened_at", "pk")
    )


def open_removal_task_count() -> int:
    return AccessRemovalTask.objects.filter(done_at__isnull=True).count()


def reviews_due(*, at: datetime.date | None = None):
    """Accounts whose review date has come (``at``, today by default)."""
    at = at or timezone.localdate()
    return OfficialAccount.objects.filter(next_review_on__lte=at).order_by("next_review_on", "pk")


def account_owners(account_ids) -> dict[int, list]:
    """The employees at work who own each account: who is asked to act on it."""
    owners: dict[int, list] = {}
    for access in (
        active_holders()
        .filter(
            account_id__in=list(account_ids),
            role="owner",
            employee__status=EmployeeStatus.ACTIVE,
            employee__user__is_active=True,
        )
        .select_related("employee__user")
        .order_by("pk")
    ):
        owners.setdefault(access.account_id, []).append(access.employee)
    return owners


@dataclass
class RegisterReport:
    leavers_holding: list  # (account, [access of a leaver, …])
    without_phishing_resistant: list  # accounts
    reviews_overdue: list  # (account, days overdue)
    as_of: datetime.date


def register_report(*, at: datetime.date | None = None) -> RegisterReport:
    """HR's three lists: accounts a leaver can still sign in to, accounts whose sign-in a
    phishing page could relay, and accounts whose review date has passed."""
    at = at or timezone.localdate()
    accounts = list(accounts_with_holders())
    leavers = []
    for account in accounts:
        gone = [
            access
            for access in account.holders
            if access.employee_id and access.employee.status == EmployeeStatus.TERMINATED
        ]
        if gone:
            leavers.append((account, gone))
    return RegisterReport(
        leavers_holding=leavers,
        without_phishing_resistant=[a for a in accounts if a.sign_in_protection not in PHISHING_RESISTANT],
        reviews_overdue=[
            (a, (at - a.next_review_on).days) for a in accounts if a.next_review_on and a.next_review_on < at
        ],
        as_of=at,
    )
