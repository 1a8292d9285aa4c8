"""Planning an import: which people are created, changed, deactivated or held for a second HR person, before anything is written."""

from dataclasses import dataclass, field

from ..identity import accounts_used
from ..models import EmployeeStatus
from .checks import (
    _EMPLOYEE_FIELDS,
    _USER_FIELDS,
    COLUMNS,
    RowError,
    _check_across_rows,
    _Existing,
    _load_existing,
    _Problems,
    _Row,
)


@dataclass(frozen=True)
class HeldIdentityChange:
    """A new email for someone whose account was used: it waits for a second HR person
    (``attest.identity``); the rest of the row is applied as usual."""

    row: int
    employee_id: str
    name: str
    old_email: str
    new_email: str


@dataclass
class RosterResult:
    """What an import did, or (``dry_run``) would do. ``deactivated`` people are also counted in
    ``updated`` when they are in the file; people missing from the file are counted only there."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    invited: int = 0
    errors: list[RowError] = field(default_factory=_Problems)
    dry_run: bool = False
    invite_ids: list[int] = field(default_factory=list, repr=False)  # the people invitations were queued for
    held: list[HeldIdentityChange] = field(default_factory=list)  # new emails waiting for a second HR person

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


def _sort_key(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1


@dataclass
class _Plan:
    existing: _Existing
    new_rows: list[_Row]
    changed: list[tuple[_Row, list[str], bool]]  # row, changed employee fields, user out of step
    missing_to_terminate: list[str]
    missing_users_to_close: list[int]
    invite: list[_Row]
    held: list[HeldIdentityChange]
    moved: list[tuple[int, str, str]]  # never-used accounts whose email changes at once: pk, old, new


def _check(
    rows: list[_Row],
    result: RosterResult,
    deactivate_missing: bool,
    send_invitations: bool,
    hold_identity_changes: bool = True,
) -> _Plan | None:
    """Finish checking against the database and fill in ``result``'s counts; the plan if all is well."""
    existing = _load_existing()
    _check_across_rows(rows, existing, result.errors)
    if result.errors:
        result.errors.sort(key=_sort_key)
        return None
    plan = _plan(rows, existing, deactivate_missing, send_invitations, hold_identity_changes)
    result.created = len(plan.new_rows)
    result.updated = len(plan.changed)
    result.unchanged = len(rows) - result.created - result.updated
    result.deactivated = len(plan.missing_to_terminate) + sum(
        1 for row, fields, _user in plan.changed if "status" in fields and row.status == EmployeeStatus.TERMINATED
    )
    result.invited = len(plan.invite)
    result.held = plan.held
    return plan


def _hold_identity_changes(rows: list[_Row], existing: _Existing, hold: bool = True) -> tuple[list, list]:
    """Split new emails of existing people: a used account's waits for a second HR person (the
    row goes on with its current email), a never-used account's changes at once. With ``hold``
    false (the identity provider is authoritative) every new email changes at once."""
    moving = {
        row.employee_id: existing.employees[row.employee_id]
        for row in rows
        if row.employee_id in existing.employees and existing.employees[row.employee_id][3].lower() != row.email
    }
    if not moving:
        return [], []
    used = accounts_used(current[1] for current in moving.values()) if hold else set()
    held, moved = [], []
    for row in rows:
        current = moving.get(row.employee_id)
        if current is None:
            continue
        pk, user_id, _manager, old_email, *_rest = current
        if user_id in used:
            name = f"{row.first_name} {row.last_name}"
            held.append(HeldIdentityChange(row.number, row.employee_id, name, old_email, row.email))
            row.email = old_email
        else:
            moved.append((pk, old_email, row.email))
    return held, moved


def _plan(
    rows: list[_Row], existing: _Existing, deactivate_missing: bool, send_invitations: bool, hold: bool = True
) -> _Plan:
    held, moved = _hold_identity_changes(rows, existing, hold)
    new_rows, changed = [], []
    for row in rows:
        current = existing.employees.get(row.employee_id)
        if current is None:
            new_rows.append(row)
            continue
        _pk, user_id, manager_pk, *values = current
        fields = [
            name for name, old, new in zip(_EMPLOYEE_FIELDS, values, row.employee_values(), strict=True) if old != new
        ]
        if (existing.ids_by_pk[manager_pk] if manager_pk else "") != row.manager_employee_id:
            fields.append("manager")
        user_changed = existing.users.get(user_id) != row.user_values()
        if fields or user_changed:
            changed.append((row, fields, user_changed))
    to_terminate, users_to_close = [], []
    if deactivate_missing:
        in_file = {row.employee_id for row in rows}
        status = 3 + _EMPLOYEE_FIELDS.index("status")
        for employee_id, values in existing.employees.items():
            if employee_id in in_file:
                continue
            if values[status] != EmployeeStatus.TERMINATED:
                to_terminate.append(employee_id)
            if existing.users.get(values[1], (None,) * len(_USER_FIELDS))[-1]:
                users_to_close.append(values[1])
    invite = [row for row in new_rows if row.status != EmployeeStatus.TERMINATED] if send_invitations else []
    return _Plan(existing, new_rows, changed, to_terminate, users_to_close, invite, held, moved)
