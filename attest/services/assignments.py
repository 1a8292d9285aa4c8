"""Assignments: who must complete which version by when (kept in line with requirements, people and releases), starting, and exemptions."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from training.models import PolicyVersion, Track

from ..bulk import insert_rows
from ..models import AccountAccess, Assignment, Attestation, Employee, EmployeeStatus, Requirement, RequirementKind
from .signing import AttestationError

ERROR_EXEMPT_REASON = _("Give a reason for the exemption.")


ERROR_NOT_OPEN = _("Only an open assignment can be exempted.")


def assignment_mark_started(*, employee: Employee, version: PolicyVersion) -> None:
    Assignment.objects.open().filter(employee=employee, version=version, started_at__isnull=True).update(
        started_at=timezone.now()
    )


@transaction.atomic
def assignment_exempt(*, assignment: Assignment, reason: str, by) -> Assignment:
    """Excuse someone from one assignment (e.g. long leave). Recorded with who, when and why."""
    reason = reason.strip()
    if not reason:
        raise AttestationError(ERROR_EXEMPT_REASON)
    updated = (
        Assignment.objects.open()
        .filter(pk=assignment.pk)
        .update(exempted_at=timezone.now(), exempted_by=by, exemption_reason=reason)
    )
    if not updated:
        raise AttestationError(ERROR_NOT_OPEN)
    assignment.refresh_from_db()
    log(instance=assignment, action="attest.assignment_exempt", user=by, data={"reason": reason})
    return assignment


def _in_audience(requirement: Requirement, employee: Employee) -> bool:
    """Departments and locations narrow the audience; tracks and "holders of official accounts"
    (``official_account_holders``) choose who within them. People who can sign in to an official
    account are in the official team's track whatever their own."""
    holder = getattr(employee, "holds_official_account", False)
    chosen = requirement.tracks or requirement.official_account_holders
    return (
        (not requirement.departments or employee.department in requirement.departments)
        and (not requirement.locations or employee.location in requirement.locations)
        and (
            not chosen
            or employee.track in requirement.tracks
            or (holder and (requirement.official_account_holders or Track.OFFICIAL in requirement.tracks))
        )
    )


def _for_holders(requirement: Requirement) -> bool:
    return requirement.official_account_holders or Track.OFFICIAL in requirement.tracks


def _annual_due(requirement: Requirement, last_completed: datetime.date | None) -> datetime.date:
    if requirement.annual_fixed_date:
        fixed = requirement.annual_fixed_date
        after = last_completed or requirement.starts_on
        due = fixed.replace(year=after.year)
        while due <= after or (last_completed and due < last_completed + relativedelta(months=6)):
            due = due.replace(year=due.year + 1)
        return due
    if last_completed is None:
        return requirement.starts_on + datetime.timedelta(days=requirement.due_days)
    return last_completed + relativedelta(months=12)


def _wanted_due(
    requirement: Requirement,
    employee: Employee,
    version: PolicyVersion,
    last_completed: datetime.date | None,
    signed_version_ids: set[int],
) -> datetime.date | None:
    """The due date of the assignment this employee should have now, or None if they need none."""
    days = datetime.timedelta(days=requirement.due_days)
    if requirement.kind == RequirementKind.ONBOARDING:
        if employee.hire_date < requirement.starts_on or last_completed:
            return None
        return employee.hire_date + days
    if requirement.kind == RequirementKind.ANNUAL:
        return _annual_due(requirement, last_completed)
    if requirement.kind == RequirementKind.REATTESTATION:
        released = timezone.localdate(version.released_at)
        if not version.requires_reattestation or released < requirement.starts_on:
            return None
        if not signed_version_ids or version.pk in signed_version_ids:
            return None
        return released + days
    if requirement.kind == RequirementKind.AD_HOC:
        return requirement.due_date
    return None


_SYNC_CHUNK = 900


_SYNC_FILTER_IN_PYTHON = 5000


def _sync_rows(queryset, employee_ids: set[int] | None, field: str = "employee_id") -> list[tuple]:
    """``queryset`` (a ``values_list`` whose first value is the employee) for just these employees,
    in few queries: small sets are filtered in chunks (SQLite allows ~32,000 parameters per query),
    large ones in Python (reading everything once beats hundreds of ``IN`` lists)."""
    if employee_ids is None:
        return list(queryset)
    if len(employee_ids) > _SYNC_FILTER_IN_PYTHON:
        return [row for row in queryset if row[0] in employee_ids]
    ordered = sorted(employee_ids)
    rows = []
    for start in range(0, len(ordered), _SYNC_CHUNK):
        rows += queryset.filter(**{f"{field}__in": ordered[start : start + _SYNC_CHUNK]})
    return rows


@dataclass(frozen=True)
class _SyncPerson:
    """The fields of an employee that decide their assignments (duck-types ``Employee``)."""

    pk: int
    status: str
    department: str
    location: str
    track: str
    hire_date: datetime.date
    language: str
    holds_official_account: bool = False


def _holder_ids() -> set[int]:
    """Employees who can sign in to an official account now (agency contacts are not employees)."""
    return set(
        AccountAccess.objects.active().filter(employee__isnull=False).values_list("employee_id", flat=True).distinct()
    )


@transaction.atomic
def assignments_sync(
    *, today: datetime.date | None = None, employees=None, employee_ids: Iterable[int] | None = None
) -> dict[str, int]:
    """Bring assignments in line with requirements, people and released versions.

    Runs on import, on release and on a schedule; running it twice changes nothing. People who
    leave or fall out of a requirement's audience have their open assignments cancelled, never
    deleted. Assignments are created ``due_days`` before they fall due at the earliest, and never
    before the employee's hire date.

    ``employees`` (objects) or ``employee_ids`` limit the work to those people. Reads everything
    it needs in a fixed number of queries whatever the number of people (100,000 on import),
    decides in Python, then writes in bulk.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"created": 0, "moved": 0, "cancelled": 0}
    ids = None if employees is None else {employee.pk for employee in employees}
    if employee_ids is not None:
        ids = (ids or set()) | set(employee_ids)
    if ids is not None and not ids:
        return counts
    requirements = list(Requirement.objects.filter(active=True))
    if not requirements:
        return counts
    holders = _holder_ids() if any(_for_holders(requirement) for requirement in requirements) else set()
    people = [
        _SyncPerson(*row, holds_official_account=row[0] in holders)
        for row in _sync_rows(
            Employee.objects.order_by().values_list(
                "pk", "status", "department", "location", "track", "hire_date", "language"
            ),
            ids,
            field="pk",
        )
    ]
    policy_ids = {requirement.policy_id for requirement in requirements}
    versions: dict[int, list[PolicyVersion]] = {}  # newest first
    released_at: dict[int, datetime.datetime] = {}
    for version in PolicyVersion.objects.filter(policy_id__in=policy_ids).order_by("-released_at"):
        versions.setdefault(version.policy_id, []).append(version)
        released_at[version.pk] = version.released_at
    targets: dict[tuple[int, bool, str], PolicyVersion | None] = {}

    def target_for(policy_id: int, material_only: bool, language: str) -> PolicyVersion | None:
        """The newest (material) version for readers of ``language``: a version that held their
        language back because its text lagged the original is not theirs to sign."""
        key = (policy_id, material_only, language)
        if key not in targets:
            targets[key] = next(
                (
                    version
                    for version in versions[policy_id]
                    if language not in version.held_back_languages
                    and (version.requires_reattestation or not material_only)
                ),
                None,
            )
        return targets[key]

    open_by_key: dict[tuple[int, int], tuple[int, int]] = {}  # (requirement, employee) -> (pk, version)
    ever_assigned: set[tuple[int, int]] = set()
    annual_due: set[tuple[int, int, datetime.date]] = set()
    done_versions: set[tuple[int, int, int]] = set()  # completed or exempted (requirement, employee, version)
    assignments = Assignment.objects.filter(requirement__in=requirements).order_by()
    for employee_id, requirement_id, pk, version_id, due_on, completed, exempted, cancelled in _sync_rows(
        assignments.values_list(
            "employee_id",
            "requirement_id",
            "pk",
            "version_id",
            "due_on",
            "completed_at",
            "exempted_at",
            "cancelled_at",
        ),
        ids,
    ):
        key = (requirement_id, employee_id)
        annual_due.add((requirement_id, employee_id, due_on))
        if completed is not None or exempted is not None:
            done_versions.add((requirement_id, employee_id, version_id))
        if cancelled is None:
            ever_assigned.add(key)
            if completed is None and exempted is None:
                open_by_key[key] = (pk, version_id)

    last_signed: dict[tuple[int, int], datetime.datetime] = {}
    signed: dict[tuple[int, int], set[int]] = {}
    for employee_id, policy_id, version_id, signed_at in _sync_rows(
        Attestation.objects.filter(policy_id__in=policy_ids)
        .order_by()
        .values_list("employee_id", "policy_id", "version_id", "signed_at"),
        ids,
    ):
        key = (policy_id, employee_id)
        if key not in last_signed or signed_at > last_signed[key]:
            last_signed[key] = signed_at
        signed.setdefault(key, set()).add(version_id)

    cancelled: dict[str, list[int]] = {"left": [], "out of audience": []}
    moved: dict[int, list[int]] = {}
    new_rows = []
    for requirement in requirements:
        requirement_pk, kind, policy_id = requirement.pk, requirement.kind, requirement.policy_id
        if policy_id not in versions:
            continue
        once = kind in (RequirementKind.AD_HOC, RequirementKind.ONBOARDING)
        window = datetime.timedelta(days=requirement.due_days)
        for employee in people:
            key = (requirement_pk, employee.pk)
            open_assignment = open_by_key.get(key)
            target = target_for(policy_id, kind == RequirementKind.REATTESTATION, employee.language)
            if target is None:
                continue
            if employee.status == EmployeeStatus.TERMINATED or not _in_audience(requirement, employee):
                if open_assignment:
                    reason = "left" if employee.status == EmployeeStatus.TERMINATED else "out of audience"
                    cancelled[reason].append(open_assignment[0])
                continue
            if open_assignment:
                pk, version_id = open_assignment
                if (
                    target.requires_reattestation
                    and version_id != target.pk
                    and target.released_at > released_at[version_id]
                ):
                    moved.setdefault(target.pk, []).append(pk)
                continue
            if (once and key in ever_assigned) or employee.hire_date > today:
                continue
            last = last_signed.get((policy_id, employee.pk))
            last_date = timezone.localdate(last) if last else None
            due = _wanted_due(requirement, employee, target, last_date, signed.get((policy_id, employee.pk), set()))
            if due is None:
                continue
            if kind == RequirementKind.ANNUAL and (
                due - window > today or (requirement_pk, employee.pk, due) in annual_due
            ):
                continue
            if kind == RequirementKind.REATTESTATION and (requirement_pk, employee.pk, target.pk) in done_versions:
                continue
            new_rows.append((employee.pk, requirement_pk, target.pk, max(today, employee.hire_date), due))

    # Only still-open rows: one signed or exempted since it was read above is evidence, and stays.
    for reason, pks in cancelled.items():
        for start in range(0, len(pks), _SYNC_CHUNK):
            Assignment.objects.open().filter(pk__in=pks[start : start + _SYNC_CHUNK]).update(
                cancelled_at=now, cancel_reason=reason
            )
        counts["cancelled"] += len(pks)
    for version_id, pks in moved.items():
        for start in range(0, len(pks), _SYNC_CHUNK):
            Assignment.objects.open().filter(pk__in=pks[start : start + _SYNC_CHUNK]).update(
                version_id=version_id, started_at=None
            )
        counts["moved"] += len(pks)
    # A concurrent sync may have created the same open assignment a moment ago: the partial unique
    # constraint keeps one, and this run skips its copy instead of failing.
    insert_rows(
        Assignment, ("employee", "requirement", "version", "assigned_on", "due_on"), new_rows, ignore_conflicts=True
    )
    counts["created"] = len(new_rows)
    return counts
