"""Applying a planned import in one transaction: people and accounts in bulk, manager links level by level, the audit log and the invitations."""

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from ..bulk import insert_rows, update_rows
from ..identity import LOG_APPLIED, identity_change_log_data, identity_change_request
from ..models import Employee, EmployeeStatus, IdentityChange, IdentityChangeOutcome, IdentityChangeSource
from ..official_accounts.models import LeaverSource
from ..official_accounts.services import leaver_tasks_open
from ..services import assignments_sync
from .checks import _EMPLOYEE_FIELDS, _USER_FIELDS, _Row
from .plan import _Plan

LOG_ACTION = "attest.roster_import"


LOG_PROVISIONING = "attest.provisioning"


INVITATION_BATCH = 500


_DB_CHUNK = 900


@dataclass
class _Affected:
    employee_ids: list[int]
    new_pks: dict[str, int]
    direct_changes: list = field(default_factory=list)  # IdentityChange rows applied at once


def _chunks(items: list, size: int = _DB_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _levels(new_rows: list[_Row]) -> list[list[_Row]]:
    """New people grouped so that each group's managers are already in the database or in an
    earlier group: inserting group by group sets every manager without a second pass."""
    by_id = {row.employee_id: row for row in new_rows}
    depth: dict[str, int] = {}
    for row in new_rows:
        path = []
        node = row.employee_id
        while node in by_id and node not in depth:
            path.append(node)
            node = by_id[node].manager_employee_id
        level = depth[node] + 1 if node in depth else 0
        for employee_id in reversed(path):
            depth[employee_id] = level
            level += 1
    levels: list[list[_Row]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for row in new_rows:
        levels[depth[row.employee_id]].append(row)
    return levels


_NEW_USER_FIELDS = (
    "password",
    "is_superuser",
    "is_staff",
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "date_joined",
)


_NEW_EMPLOYEE_FIELDS = ("user", "employee_id", "manager", *_EMPLOYEE_FIELDS, "updated_at")


def _label(employee_id: str, first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name} ({employee_id})"


def _apply(
    plan: _Plan, by, file_name: str, report: Callable[[float], None], source: str = IdentityChangeSource.ROSTER
) -> _Affected:
    """Write the plan: accounts, people (managers first), changes, leavers, then the audit log;
    new emails of used accounts become one request for a second HR person's approval."""
    User = get_user_model()
    existing = plan.existing
    now = timezone.now()
    log = _AuditLog(by=by, now=now, source=source, via=file_name)
    user_pks = insert_rows(
        User,
        _NEW_USER_FIELDS,
        [
            (
                # What set_unusable_password() stores, without its slow per-character random
                # draw: nobody can sign in until they choose a password from their invitation.
                UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                False,
                False,
                *row.user_values(),
                now,
            )
            for row in plan.new_rows
        ],
        key="username",
    )
    report(0.2)
    pks = {employee_id: values[0] for employee_id, values in existing.employees.items()}
    new_pks: dict[str, int] = {}
    for level in _levels(plan.new_rows):
        created = insert_rows(
            Employee,
            _NEW_EMPLOYEE_FIELDS,
            [
                (user_pks[row.email], row.employee_id, pks.get(row.manager_employee_id), *row.employee_values(), now)
                for row in level
            ],
            key="employee_id",
        )
        pks.update(created)
        new_pks.update(created)
    for row in plan.new_rows:
        log.add(new_pks[row.employee_id], _label(row.employee_id, row.first_name, row.last_name), {"change": "created"})
    report(0.5)

    employee_updates, user_updates, moved_addresses, touched = [], [], [], []
    for row, fields, user_changed in plan.changed:
        pk, user_id, *_rest = existing.employees[row.employee_id]
        touched.append(pk)
        if fields:
            manager = pks[row.manager_employee_id] if row.manager_employee_id else None
            employee_updates.append((*row.employee_values(), manager, now, pk))
        if user_changed:
            user_updates.append((*row.user_values(), user_id))
            if (existing.users.get(user_id, ("", ""))[1] or "").lower() != row.email:
                moved_addresses.append(user_id)
        log.add(
            pk,
            _label(row.employee_id, row.first_name, row.last_name),
            {"change": "updated", "fields": fields + (["account"] if user_changed else [])},
        )
    update_rows(Employee, [*_EMPLOYEE_FIELDS, "manager", "updated_at"], employee_updates)
    update_rows(User, _USER_FIELDS, user_updates)
    # allauth keeps its own copy of each sign-in address: drop the old one so it no longer
    # signs anyone in (allauth copies the new address over on next use).
    for chunk in _chunks(moved_addresses):
        EmailAddress.objects.filter(user_id__in=chunk).delete()
    report(0.7)

    leavers = []
    for employee_id in plan.missing_to_terminate:
        pk, _user_id, _manager, _email, first_name, last_name, *_rest = existing.employees[employee_id]
        leavers.append(pk)
        log.add(pk, _label(employee_id, first_name, last_name), {"change": "deactivated", "reason": "missing"})
    for chunk in _chunks(leavers):
        Employee.objects.filter(pk__in=chunk).update(status=EmployeeStatus.TERMINATED, updated_at=now)
    for chunk in _chunks(plan.missing_users_to_close):
        User.objects.filter(pk__in=chunk).update(is_active=False)
    direct = _record_identity_changes(plan, by=by, file_name=file_name, log=log, source=source)
    log.save()
    report(0.8)
    return _Affected(employee_ids=[*new_pks.values(), *touched, *leavers], new_pks=new_pks, direct_changes=direct)


def _record_identity_changes(
    plan: _Plan, *, by, file_name: str, log: "_AuditLog", source: str = IdentityChangeSource.ROSTER
) -> list[IdentityChange]:
    """Never-used accounts' new emails were written above: record and audit them old → new.
    Used accounts' new emails wait, as one request for the whole file."""
    now = timezone.now()
    common = {"requested_by": by, "requested_at": now, "source": source, "file_name": file_name}
    direct = IdentityChange.objects.bulk_create(
        [
            IdentityChange(
                employee_id=pk,
                old_email=old,
                new_email=new,
                batch=log.uuid,
                outcome=IdentityChangeOutcome.DIRECT,
                decided_by=by,
                decided_at=now,
                **common,
            )
            for pk, old, new in plan.moved
        ],
        batch_size=500,
    )
    labels = {values[0]: _label(employee_id, *values[4:6]) for employee_id, values in plan.existing.employees.items()}
    for change in direct:
        log.add(change.employee_id, labels[change.employee_id], identity_change_log_data(change), action=LOG_APPLIED)
    held = {change.employee_id: change for change in plan.held}
    for employee in Employee.objects.filter(employee_id__in=list(held)).select_related("user"):
        identity_change_request(
            employee=employee,
            new_email=held[employee.employee_id].new_email,
            by=by,
            source=IdentityChangeSource.ROSTER,
            file_name=file_name,
            batch=log.uuid,
        )
    return direct


class _AuditLog:
    """One Wagtail audit-log entry per person the import changed, sharing one uuid per import,
    written in bulk (``wagtail.log_actions.log`` would cost a query per person)."""

    FIELDS = (
        "content_type",
        "object_id",
        "label",
        "action",
        "data",
        "timestamp",
        "uuid",
        "user",
        "content_changed",
        "deleted",
    )

    def __init__(self, *, by, now, source: str = IdentityChangeSource.ROSTER, via: str = ""):
        self.by = by.pk if by else None
        # Entries of provisioning (SCIM) say so: their own action, the source and the token's name.
        self.provisioning = source == IdentityChangeSource.PROVISIONING
        self.extra = {"source": source, "via": via} if self.provisioning else {}
        self.now = now
        self.uuid = uuid.uuid4()
        self.content_type = ContentType.objects.get_for_model(Employee).pk
        self.rows = []

    def add(self, pk: int, label: str, data: dict, action: str = LOG_ACTION) -> None:
        if self.provisioning:
            action = LOG_PROVISIONING if action == LOG_ACTION else action
            data = {**data, **self.extra}
        self.rows.append((self.content_type, str(pk), label, action, data, self.now, self.uuid, self.by, True, False))

    def save(self) -> None:
        insert_rows(ModelLogEntry, self.FIELDS, self.rows)


def _queue_invitations(employee_ids: list[int]) -> None:
    from ..tasks import send_invitations

    for chunk in _chunks(employee_ids, INVITATION_BATCH):
        send_invitations.enqueue(employee_ids=chunk)


@transaction.atomic
def employee_sync(*, employee: Employee, source: str = LeaverSource.EDIT) -> None:
    """After HR corrects someone's record in the admin (or provisioning changes it): keep their
    login in step with it (address, name, access) and their assignments with their department,
    location, track and status. A leaver who still holds an official account gets a removal task."""
    user = employee.user
    if (user.email or "").lower() != employee.email.lower():
        EmailAddress.objects.filter(user=user).delete()
    user.username = user.email = employee.email
    user.first_name, user.last_name = employee.first_name, employee.last_name
    user.is_active = employee.status != EmployeeStatus.TERMINATED
    user.save(update_fields=list(_USER_FIELDS))
    assignments_sync(employees=[employee])
    if employee.status == EmployeeStatus.TERMINATED:
        leaver_tasks_open(employee_ids=[employee.pk], source=source)
