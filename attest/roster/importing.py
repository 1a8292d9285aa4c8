"""Importing a roster file: read it, check every row, plan the changes and apply them, under the roster lock."""

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..bulk import analyze_tables
from ..hierarchy import reporting_paths_refresh
from ..identity import accounts_used, identity_change_announce, identity_change_request, sessions_end
from ..models import Assignment, Employee, IdentityChange, IdentityChangeOutcome, IdentityChangeSource
from ..official_accounts.models import LeaverSource
from ..official_accounts.services import leaver_tasks_open
from ..services import assignments_sync
from .apply import _apply, _queue_invitations, employee_sync
from .checks import (
    COLUMNS,
    ERROR_NO_ROWS,
    ERROR_TOO_MANY,
    FILE,
    MAX_ERRORS,
    RowError,
    _header,
    _Row,
    _row,
    _TooManyProblems,
)
from .parse import (
    ERROR_FILE_TYPE,
    ERROR_NOT_A_ROSTER,
    RosterLimits,
    _cell,
    _lines,
    _name_and_bytes,
    _NotARoster,
    _TooLarge,
)
from .plan import RosterResult, _check, _sort_key

logger = logging.getLogger(__name__)


"""The column named in problems that concern the file as a whole rather than one cell."""


# An import that changes this many people refreshes the planner's statistics afterwards.
ANALYZE_AFTER = 1000


ERROR_CONCURRENT = _("The roster changed while this file was being imported: import it again.")


Progress = Callable[[int, int], None]


def roster_import(
    *,
    source,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    send_invitations: bool = True,
    progress: Progress | None = None,
    by=None,
    file_name: str = "",
    leaver_source: str = LeaverSource.ROSTER,
) -> RosterResult:
    """Check ``source`` (a path or an uploaded file, CSV or XLSX) and, unless it has a problem or
    this is a dry run, apply it. ``by`` is the admin user who asked, for the audit log;
    ``file_name`` the name HR knows the file by (the source's own name by default); ``leaver_source``
    says who deactivates leavers (the roster, or provisioning), for their access-removal tasks.

    ``progress(done, total)`` is called as rows are read and as the writes advance."""
    report = progress or (lambda done, total: None)
    result = RosterResult(dry_run=dry_run)
    name, data = _name_and_bytes(source)
    if Path(name).suffix.lower() not in {".csv", ".xlsx"}:
        result.errors.append(RowError(1, FILE, str(ERROR_FILE_TYPE)))
        return result
    try:
        return _import(
            name=name,
            data=data,
            result=result,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            send_invitations=send_invitations,
            report=report,
            by=by,
            file_name=file_name or Path(name).name,
            leaver_source=leaver_source,
        )
    except _TooManyProblems as stopped:
        result.errors.sort(key=_sort_key)
        result.errors.insert(0, RowError(1, FILE, ERROR_TOO_MANY % {"row": stopped.args[0], "limit": MAX_ERRORS}))
        return result


def _import(
    *,
    name: str,
    data: bytes,
    result: RosterResult,
    dry_run,
    deactivate_missing,
    send_invitations,
    report,
    by,
    file_name,
    leaver_source,
) -> RosterResult:
    try:
        lines, estimate = _lines(name, data)
        total = max(estimate, 1) * 2
        report(0, total)
        rows = _read(lines, result.errors, lambda done: report(min(done, total // 2), total))
    except _NotARoster:
        result.errors = [RowError(1, FILE, str(ERROR_NOT_A_ROSTER))]
        return result
    except _TooLarge as refused:
        result.errors = [RowError(1, FILE, str(refused.args[0]))]
        return result
    if result.errors or dry_run:
        _check(rows, result, deactivate_missing, send_invitations)
        return result
    try:
        with transaction.atomic():
            lock_roster()
            plan = _check(rows, result, deactivate_missing, send_invitations)
            if plan is None:
                return result
            report(total // 2, total)
            affected = _apply(plan, by, file_name, lambda share: report(total // 2 + int(total // 2 * share), total))
            reporting_paths_refresh()
            assignments_sync(employee_ids=affected.employee_ids)
            leaver_tasks_open(employee_ids=affected.employee_ids, source=leaver_source)
    except IntegrityError:
        # Someone created a clashing account between our checks and our writes.
        logger.warning("Roster import rolled back on a constraint violation.", exc_info=True)
        return RosterResult(errors=[RowError(1, FILE, str(ERROR_CONCURRENT))])
    if result.created + result.updated + result.deactivated >= ANALYZE_AFTER:
        analyze_tables(get_user_model(), Employee, Assignment)
    result.invite_ids = [affected.new_pks[row.employee_id] for row in plan.invite]
    if send_invitations and result.invite_ids:
        _queue_invitations(result.invite_ids)
    report(total, total)
    return result


def _read(lines: Iterator[list[str]], errors: list[RowError], report: Callable[[int], None]) -> list[_Row]:
    header = next(lines, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(lines, None)
    if header is None:
        raise _NotARoster
    index, header_errors = _header(header)
    errors += header_errors
    if len(index) < len(COLUMNS):
        return []
    width = len(header)
    rows, seen, limits = [], 0, RosterLimits.from_settings()
    for number, cells in enumerate(lines, start=2):
        limits.check_row(number)
        if not any(cell.strip() for cell in cells):
            continue
        seen += 1
        rows.append(_row(number, cells, index, width, errors))
        if number % 1000 == 0:
            report(number)
    if not seen:
        errors.append(RowError(1, FILE, str(ERROR_NO_ROWS)))
    return rows


def people_apply(
    rows: list[dict],
    *,
    by=None,
    source: str = IdentityChangeSource.PROVISIONING,
    via: str = "",
    send_invitations: bool = True,
) -> RosterResult:
    """Check and apply people who come from another system than a file (SCIM provisioning): each
    row a dict of ``COLUMNS`` to text (dates as YYYY-MM-DD), numbered from 2 as a file's lines are.
    The same checks, plan, writes, assignments and invitations as a roster import, all or nothing;
    nobody missing from ``rows`` is touched. The audit log marks each entry with ``source`` and
    ``via`` (the provisioning token's name). The identity provider is authoritative for sign-in
    emails: a new one applies at once, recorded with ``source``; a used account's old address is
    told, its sessions end and a change waiting for HR is superseded."""
    result = RosterResult()
    index = {name: position for position, name in enumerate(COLUMNS)}
    try:
        parsed = [
            _row(number, [_cell(row.get(name)) for name in COLUMNS], index, len(COLUMNS), result.errors)
            for number, row in enumerate(rows, start=2)
        ]
        if result.errors:
            result.errors.sort(key=_sort_key)
            return result
        with transaction.atomic():
            lock_roster()
            plan = _check(parsed, result, False, send_invitations, hold_identity_changes=False)
            if plan is None:
                return result
            user_ids = {values[0]: values[1] for values in plan.existing.employees.values()}
            used = accounts_used(user_ids[pk] for pk, _old, _new in plan.moved)
            affected = _apply(plan, by, via, lambda share: None, source=source)
            reporting_paths_refresh()
            assignments_sync(employee_ids=affected.employee_ids)
            leaver_tasks_open(employee_ids=affected.employee_ids, source=LeaverSource.PROVISIONING)
            told = [change for change in affected.direct_changes if user_ids[change.employee_id] in used]
            if told:
                IdentityChange.objects.filter(
                    employee_id__in=[change.employee_id for change in told], outcome=IdentityChangeOutcome.PENDING
                ).update(outcome=IdentityChangeOutcome.SUPERSEDED, decided_by=by, decided_at=timezone.now())
                sessions_end(user_ids=[user_ids[change.employee_id] for change in told])
                for change in told:
                    identity_change_announce(change.pk)
    except _TooManyProblems as stopped:
        result.errors.sort(key=_sort_key)
        result.errors.insert(0, RowError(1, FILE, ERROR_TOO_MANY % {"row": stopped.args[0], "limit": MAX_ERRORS}))
        return result
    except IntegrityError:
        logger.warning("Provisioning rolled back on a constraint violation.", exc_info=True)
        return RosterResult(errors=[RowError(2, FILE, str(ERROR_CONCURRENT))])
    result.invite_ids = [affected.new_pks[row.employee_id] for row in plan.invite]
    if send_invitations and result.invite_ids:
        _queue_invitations(result.invite_ids)
    return result


def lock_roster() -> None:
    """One change to the people at a time, also across app servers (SQLite serialises writers by
    itself): an import, or HR's correction of one record. Take it first in the transaction:
    reporting paths are then computed from everyone else's committed changes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('attest.roster_import'))")


@transaction.atomic
def employee_update(*, employee: Employee, by) -> IdentityChange | None:
    """HR's correction of one record (HR's edit form, already validated), as a roster import
    would apply it: under the roster lock; a new sign-in email waits for a second HR person
    (returned) while the rest is saved; reporting paths, the login and assignments follow."""
    lock_roster()
    wanted = employee.email
    saved = Employee.objects.filter(pk=employee.pk).values_list("email", flat=True).get()
    moves = wanted.lower() != saved.lower()
    if moves:
        employee.email = saved
    employee.save()
    change = identity_change_request(employee=employee, new_email=wanted, by=by) if moves else None
    reporting_paths_refresh()
    employee_sync(employee=employee)
    return change
