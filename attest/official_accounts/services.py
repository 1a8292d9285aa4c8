"""Every write to the register: granting and removing access, leavers' removal tasks, reviews.

Access decides an audience (requirements for "holders of official accounts" and the official
team's track), so every grant and removal brings the holder's assignments in line at once.
Nothing is deleted: a removal stamps the access row, and tasks and reviews stay as history.
"""

import datetime
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import Employee, EmployeeStatus
from ..services import assignments_sync
from .models import AccessRemovalTask, AccessReview, AccessRole, AccountAccess, OfficialAccount

ERROR_HOLDER_MISSING = _("Choose an employee, or for an agency give the contact's name.")
ERROR_HOLDER_BOTH = _("Give either an employee or an agency contact, not both.")
ERROR_EXTERNAL_NOT_AGENCY = _("Only an agency can hold access without being an employee: choose the role Agency.")
ERROR_HOLDER_LEFT = _("%(name)s has left the company: they cannot be given access.")
ERROR_HOLDER_ALREADY = _("%(name)s already has access to this account.")
ERROR_NOTE_REQUIRED = _("Say how and where the access was removed.")
ERROR_ALREADY_REMOVED = _("This access was already removed.")
ERROR_TASK_DONE = _("This task was already recorded as done.")
ERROR_REVIEW_UNKNOWN = _("The list of holders changed while you were reviewing it. Review it again.")

LOG_GRANT = "attest.account_access_grant"
LOG_REMOVE = "attest.account_access_remove"
LOG_REVIEW = "attest.account_access_review"


class AccountError(Exception):
    pass


def account_schedule(*, account: OfficialAccount, today: datetime.date | None = None) -> None:
    """Set when the account is next due for review: its schedule counted from the last review,
    or from the day it was registered. Does not save."""
    start = account.last_reviewed_on or (
        timezone.localdate(account.created_at) if account.created_at else today or timezone.localdate()
    )
    account.next_review_on = start + relativedelta(months=account.review_every_months)


def account_save(*, account: OfficialAccount) -> OfficialAccount:
    """Create or correct an account's description; its review date follows its schedule. (The
    admin's create and edit views write the audit log, as for every model.)"""
    if account.pk is None:
        account.created_at = timezone.now()
    account_schedule(account=account)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def access_grant(
    *,
    account: OfficialAccount,
    role: str,
    by,
    employee: Employee | None = None,
    external_name: str = "",
    external_email: str = "",
) -> AccountAccess:
    """Let someone sign in to ``account``. Employees only, except agencies, who may be an outside
    contact. The holder joins the audiences for account holders at once."""
    external_name = " ".join(external_name.split())
    if employee is None and not external_name:
        raise AccountError(ERROR_HOLDER_MISSING)
    if employee is not None and (external_name or external_email):
        raise AccountError(ERROR_HOLDER_BOTH)
    if employee is None and role != AccessRole.AGENCY:
        raise AccountError(ERROR_EXTERNAL_NOT_AGENCY)
    if employee is not None and employee.status == EmployeeStatus.TERMINATED:
        raise AccountError(ERROR_HOLDER_LEFT % {"name": employee.full_name})
    access = AccountAccess(
        account=account,
        employee=employee,
        external_name=external_name,
        external_email=external_email.strip().lower(),
        role=role,
        granted_at=timezone.now(),
        granted_by=by,
    )
    access.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            access.save()
    except IntegrityError:
        raise AccountError(ERROR_HOLDER_ALREADY % {"name": access.holder_name}) from None
    log(
        instance=account,
        action=LOG_GRANT,
        user=by,
        data={"holder": access.holder_name, "role": role, "access": access.pk},
    )
    if employee is not None:
        assignments_sync(employee_ids=[employee.pk])
    return access


def _remove(access: AccountAccess, *, by, note: str, now: datetime.datetime) -> bool:
    """Stamp one access row removed; False if it already was (a concurrent removal)."""
    removed = (
        AccountAccess.objects.active().filter(pk=access.pk).update(removed_at=now, removed_by=by, removal_note=note)
    )
    if not removed:
        return False
    AccessRemovalTask.objects.filter(access=access, done_at__isnull=True).update(done_at=now, done_by=by, note=note)
    log(
        instance=access.account,
        action=LOG_REMOVE,
        user=by,
        data={"holder": access.holder_name, "role": access.role, "access": access.pk, "note": note},
    )
    return True


@transaction.atomic
def access_remove(*, access: AccountAccess, by, note: str) -> AccountAccess:
    """Record that someone can no longer sign in (removed at the platform). Their row stays, with
    who removed it, when and why; an open leaver task for it is done with it."""
    note = " ".join(note.split())
    if not note:
        raise AccountError(ERROR_NOTE_REQUIRED)
    if not _remove(access, by=by, note=note, now=timezone.now()):
        raise AccountError(ERROR_ALREADY_REMOVED)
    if access.employee_id:
        assignments_sync(employee_ids=[access.employee_id])
    access.refresh_from_db()
    return access


def leaver_tasks_open(*, employee_ids: Iterable[int], source: str) -> int:
    """The leaver hook: of these people, everyone now terminated who still holds access to an
    official account gets an access-removal task per account, for the account's owners and HR.

    Called wherever someone is deactivated (roster import, HR's edit, provisioning), in the same
    transaction. Idempotent: one task per access row, guaranteed by a unique constraint. Reads
    only the (few) active access rows of terminated people, whatever the number of ids."""
    wanted = set(employee_ids)
    if not wanted:
        return 0
    accesses = AccountAccess.objects.active().filter(employee__status=EmployeeStatus.TERMINATED, removal_tasks=None)
    now = timezone.now()
    tasks = [
        AccessRemovalTask(access_id=pk, account_id=account_id, employee_id=employee_id, source=source, opened_at=now)
        for pk, account_id, employee_id in accesses.values_list("pk", "account_id", "employee_id")
        if employee_id in wanted
    ]
    if tasks:
        AccessRemovalTask.objects.bulk_create(tasks, ignore_conflicts=True)
    return len(tasks)


@transaction.atomic
def removal_record(*, task: AccessRemovalTask, by, note: str) -> AccessRemovalTask:
    """Someone removed a leaver's access at the platform: record who, when and how. The access row
    is stamped removed (and kept); the leaver's other records are untouched."""
    note = " ".join(note.split())
    if not note:
        raise AccountError(ERROR_NOTE_REQUIRED)
    task = (
        AccessRemovalTask.objects.select_for_update(of=("self",))
        .select_related("access__account", "access__employee")
        .get(pk=task.pk)
    )
    if task.done_at is not None:
        raise AccountError(ERROR_TASK_DONE)
    now = timezone.now()
    if not _remove(task.access, by=by, note=note, now=now):  # removed meanwhile: the task is done with it
        AccessRemovalTask.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=now, done_by=by, note=note)
    task.refresh_from_db()
    return task


@transaction.atomic
def review_record(
    *, account: OfficialAccount, by, keep: Iterable[int], seen: Iterable[int], note: str = ""
) -> AccessReview:
    """Someone confirmed who still needs access. ``seen`` are the access rows the reviewer was
    shown, ``keep`` those confirmed; the others are removed. If the holders changed meanwhile the
    review is refused, so nobody confirms a holder they never saw. Sets the last and next review."""
    account = OfficialAccount.objects.select_for_update().get(pk=account.pk)
    current = {access.pk: access for access in account.accesses.active().select_related("employee")}
    keep, seen = set(keep), set(seen)
    if seen != set(current) or not keep <= seen:
        raise AccountError(ERROR_REVIEW_UNKNOWN)
    note = " ".join(note.split())
    now = timezone.now()
    kept, removed = [], []
    for pk, access in sorted(current.items()):
        entry = {"access": pk, "holder": access.holder_name, "role": access.role}
        if pk in keep:
            kept.append(entry)
            continue
        removed.append(entry)
        _remove(access, by=by, note=note or str(_("Removed in the access review")), now=now)
    review = AccessReview.objects.create(
        account=account, reviewed_at=now, reviewed_by=by, kept=kept, removed=removed, note=note
    )
    account.last_reviewed_on = timezone.localdate(now)
    account_schedule(account=account)
    account.save(update_fields=["last_reviewed_on", "next_review_on"])
    log(instance=account, action=LOG_REVIEW, user=by, data={"kept": len(kept), "removed": len(removed), "note": note})
    affected = [current[entry["access"]].employee_id for entry in removed if current[entry["access"]].employee_id]
    if affected:
        assignments_sync(employee_ids=affected)
    return review
