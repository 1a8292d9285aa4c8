"""Which people and assignments a report covers, with their status as of its date, and the rows behind one figure."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, F, Q, QuerySet, When

from ..hierarchy import in_line
from ..models import Assignment, Employee
from ..status import done_by, end_of_day, status_expression
from ..status import status_conditions as assignment_status_conditions
from .filters import NO_MANAGER, REPORT_STATUSES, STATUS_GROUPS, ReportFilters, Selection


def language_as_of(as_of: datetime.date) -> Case:
    """The language the attestation was signed in, or the employee's language until they sign."""
    return Case(
        When(done_by(as_of) & ~Q(signed_locale=""), then=F("signed_locale")),
        default=F("employee__language"),
        output_field=CharField(),
    )


def employees_in_scope(filters: ReportFilters) -> QuerySet[Employee]:
    """The people a report may show: everyone, or a manager's line (and the department/location filters)."""
    filters = filters.resolved()
    people = Employee.objects.all()
    if filters.line_of is not None:
        people = people.filter(in_line(filters.line_path))
    if filters.department:
        people = people.filter(department=filters.department)
    if filters.location:
        people = people.filter(location=filters.location)
    return people


def assignments_in_scope(filters: ReportFilters) -> QuerySet[Assignment]:
    """The assignments a report covers, annotated with ``report_status`` as of the filters' date."""
    filters = filters.resolved()
    as_of = filters.on
    end = end_of_day(as_of)
    rows = Assignment.objects.filter(assigned_on__lte=as_of).filter(
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end)
    )
    if filters.policy:
        rows = rows.filter(version_id__in=sorted(filters.version_ids))
    if filters.requirement:
        rows = rows.filter(requirement_id=filters.requirement)
    if filters.department:
        rows = rows.filter(employee__department=filters.department)
    if filters.location:
        rows = rows.filter(employee__location=filters.location)
    if filters.due_from:
        rows = rows.filter(due_on__gte=filters.due_from)
    if filters.due_to:
        rows = rows.filter(due_on__lte=filters.due_to)
    if filters.line_of is not None:
        rows = rows.filter(in_line(filters.line_path, "employee__managers_path"))
    return rows.annotate(report_status=status_expression(as_of)).order_by()


def _week_bounds(key: str) -> tuple[datetime.date, datetime.date]:
    start = datetime.date.fromisoformat(key)
    start -= datetime.timedelta(days=start.weekday())
    return start, start + datetime.timedelta(days=6)


def select(rows: QuerySet[Assignment], selection: Selection, as_of: datetime.date) -> QuerySet[Assignment]:
    """Narrow ``rows`` to the people behind one figure."""
    rows = rows.filter(report_status__in=STATUS_GROUPS[selection.status])
    key, dimension = selection.key, selection.dimension
    if dimension == "overall":
        return rows
    if dimension == "department":
        return rows.filter(employee__department=key)
    if dimension == "location":
        return rows.filter(employee__location=key)
    if dimension == "manager":
        if key == NO_MANAGER:
            return rows.filter(employee__manager__isnull=True)
        return rows.filter(employee__manager_id=int(key)) if key.isdigit() else rows.none()
    if dimension == "requirement":
        return rows.filter(requirement_id=int(key)) if key.isdigit() else rows.none()
    if dimension == "version":
        return rows.filter(version_id=int(key)) if key.isdigit() else rows.none()
    if dimension == "language":
        return rows.annotate(report_language=language_as_of(as_of)).filter(report_language=key)
    try:
        start, end = _week_bounds(key)
    except ValueError:
        return rows.none()
    if dimension == "due_week":
        return rows.filter(due_on__range=(start, end))
    return rows.filter(done_by(as_of), completed_on__range=(start, end))


def status_conditions(as_of: datetime.date) -> dict[str, Q]:
    """The status rule's conditions for the statuses a report counts (cancelled assignments are
    out of its scope), mutually exclusive."""
    return {
        status: condition
        for status, condition in assignment_status_conditions(as_of).items()
        if status in REPORT_STATUSES
    }
