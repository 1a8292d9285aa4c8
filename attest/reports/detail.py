"""One row per assignment, with the export columns (DESIGN §4): the drill-down, the CSV/Excel/PDF exports and the pandas frame all read these rows."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from training.models import QuizLockout

from ..models import IdentityChange
from ..status import AssignmentStatus, done_by
from .filters import OPEN, ReportFilters, Selection
from .scope import assignments_in_scope, select
from .sql import AttestedScore, DaysBetween, FormulaSafe, IsoUtc

# The columns of every export, in order (DESIGN §4). An interface: never rename or reorder;
# columns added later go at the end, so DESIGN's list stays a prefix.
COLUMNS = (
    "employee_id",
    "email",
    "full_name",
    "department",
    "location",
    "manager_email",
    "policy",
    "version",
    "requirement",
    "assigned_on",
    "due_on",
    "status",
    "completed_at",
    "days_overdue",
    "quiz_score",
    "attestation_id",
    "needs_hr",  # after DESIGN §4's columns: "yes" while a failed last quiz attempt waits for HR
    "identity_change",
)


NEEDS_HR = "yes"


TEXT_COLUMNS = frozenset(
    {"employee_id", "email", "full_name", "department", "location", "manager_email", "policy", "version", "requirement"}
)


def detail_expressions(as_of: datetime.date) -> dict:
    done = done_by(as_of)
    return {
        "employee_id": F("employee__employee_id"),
        "email": F("employee__email"),
        "full_name": Concat("employee__first_name", Value(" "), "employee__last_name", output_field=TextField()),
        "department": F("employee__department"),
        "location": F("employee__location"),
        "manager_email": F("employee__manager__email"),
        "policy": F("version__policy__title"),
        "version": F("version__number"),
        "requirement": F("requirement__name"),
        "assigned_on": F("assigned_on"),
        "due_on": F("due_on"),
        "status": F("report_status"),
        "completed_at": Case(When(done, then=F("completed_at"))),
        "days_overdue": Case(
            When(report_status=AssignmentStatus.OVERDUE, then=DaysBetween(Value(as_of, DateField()), F("due_on"))),
            output_field=IntegerField(),
        ),
        "quiz_score": Case(When(done, then=AttestedScore("attestation__quiz_results")), output_field=IntegerField()),
        "attestation_id": Case(When(done, then=F("attestation_id")), output_field=IntegerField()),
        "needs_hr": needs_hr(),
        "identity_change": Case(When(done, then=identity_change_flag()), output_field=TextField()),
    }


def needs_hr() -> Case:
    """ "yes" for an open assignment whose holder failed the last quiz attempt they were allowed and
    waits for HR to give more (a lockout recorded since it was assigned and not yet lifted)."""
    lockouts = QuizLockout.objects.filter(
        user_id=OuterRef("employee__user_id"),
        version_id=OuterRef("version_id"),
        cleared_at__isnull=True,
        locked_at__date__gte=OuterRef("assigned_on"),
    )
    return Case(
        When(Q(report_status__in=OPEN) & Exists(lockouts), then=Value(NEEDS_HR)),
        default=Value(""),
        output_field=CharField(),
    )


def identity_change_flag() -> Subquery:
    """For a signed assignment: the sign-in email change of that person in the ``IDENTITY_FLAG_DAYS``
    before the signature, as ``<UTC time> IC-<reference>`` (the latest if several), else NULL.
    Someone else may have signed then (DESIGN §3.9); read from the changes, never the record."""
    changes = (
        IdentityChange.objects.applied_before(
            employee_id=OuterRef("employee_id"), signed_at=OuterRef("attestation__signed_at")
        )
        .annotate(flag=Concat(IsoUtc("decided_at"), Value(" IC-"), Cast("pk", CharField()), output_field=TextField()))
        .values("flag")[:1]
    )
    return Subquery(changes, output_field=TextField())


def detail_queryset(filters: ReportFilters, selection: Selection | None = None) -> QuerySet:
    """One row per assignment with exactly ``COLUMNS``, typed (dates, datetimes, integers)."""
    filters = filters.resolved()
    rows = assignments_in_scope(filters)
    if selection:
        rows = select(rows, selection, filters.on)
    expressions = detail_expressions(filters.on)
    return (
        rows.annotate(**{f"r_{name}": expressions[name] for name in COLUMNS})
        .order_by("due_on", "employee__last_name", "employee__first_name", "pk")
        .values_list(*(f"r_{name}" for name in COLUMNS))
    )


def detail_csv_sql(filters: ReportFilters, selection: Selection | None = None) -> tuple[str, tuple]:
    """The detail query with every column already CSV text: formula-safe, ISO dates, UTC times.

    Formatting in SQL lets PostgreSQL stream the export with ``COPY`` at its own speed."""
    filters = filters.resolved()
    rows = assignments_in_scope(filters)
    if selection:
        rows = select(rows, selection, filters.on)
    expressions = detail_expressions(filters.on)
    for name in TEXT_COLUMNS:
        expressions[name] = FormulaSafe(expressions[name])
    expressions["completed_at"] = IsoUtc(expressions["completed_at"])
    queryset = (
        rows.annotate(**{f"r_{name}": expressions[name] for name in COLUMNS})
        .order_by("due_on", "employee__last_name", "employee__first_name", "pk")
        .values_list(*(f"r_{name}" for name in COLUMNS))
    )
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:  # nobody can match (e.g. a key that names nothing): Django has no SQL for that
        return "SELECT " + ", ".join(["NULL"] * len(COLUMNS)) + " WHERE 1 = 0", ()


def detail_csv_rows(filters: ReportFilters, selection: Selection | None = None, chunk_size: int = 5000) -> Iterator:
    """CSV-ready rows (tuples of text, dates and integers), fetched in chunks."""
    sql, params = detail_csv_sql(filters, selection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield from chunk


def detail_frame(
    filters: ReportFilters, selection: Selection | None = None, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """The detail rows as a DataFrame with ``COLUMNS`` (one query, no model instances)."""
    rows = detail_queryset(filters, selection)
    if limit is not None:
        rows = rows[offset : offset + limit]
    frame = pd.DataFrame.from_records(list(rows), columns=list(COLUMNS))
    for name in ("days_overdue", "quiz_score", "attestation_id"):
        frame[name] = frame[name].astype("Int64")
    return frame


def selection_count(filters: ReportFilters, selection: Selection) -> int:
    filters = filters.resolved()
    return select(assignments_in_scope(filters), selection, filters.on).count()
