"""Compliance reports: what HR and managers see on the dashboard and in exports. Reads only.

Every figure is computed "as of" a date, with the one status rule (``models.status_rules``): an
assignment counts from the day it was assigned; a completion, exemption, cancellation or start
counts only if it happened on or before that date.

Cancelled assignments (the person left or fell out of the audience) are not obligations, so no
figure, drill-down or export includes them.

The heavy lifting happens in SQL, so the dashboard stays fast at 300,000 assignments: a fixed
handful of aggregate queries (see "The dashboard" below) and pandas only reshapes the few
thousand rows that come back. Exports stream rows straight from a database cursor (``COPY ...
TO STDOUT`` on PostgreSQL) and never hold the whole table in memory.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models import PolicyPage, PolicyVersion, PolicyVersionChapter, QuizAttempt, QuizLockout

from .hierarchy import in_line, line_prefix
from .models import Assignment, Employee, IdentityChange, Language, ReminderLog, Requirement
from .status import AssignmentStatus, done_by, end_of_day, status_expression
from .status import status_conditions as assignment_status_conditions

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

# A spreadsheet treats a cell starting with one of these as a formula (or as the start of one,
# after a tab or carriage return); the full-width forms are folded to ASCII by some versions.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

ASSIGNED, IN_PROGRESS, OVERDUE = "assigned", "in_progress", "overdue"
COMPLETED, COMPLETED_LATE, EXEMPT = "completed", "completed_late", "exempt"
DECLINED = "declined"  # declined to sign, awaiting HR's response: open, but counted apart from overdue
DONE = (COMPLETED, COMPLETED_LATE)
NOT_DUE = (ASSIGNED, IN_PROGRESS)
OPEN = (*NOT_DUE, OVERDUE, DECLINED)
REPORT_STATUSES = (*OPEN, *DONE, EXEMPT)

# Drill-down selections: a single status, or one of these groups.
STATUS_GROUPS: dict[str, tuple[str, ...]] = {
    "all": REPORT_STATUSES,
    "required": (*OPEN, *DONE),
    "done": DONE,
    "open": OPEN,
    "not_due": NOT_DUE,
    **{status: (status,) for status in REPORT_STATUSES},
}
STATUS_GROUP_LABELS = {
    "all": _("All assignments"),
    "required": _("Required (not exempt)"),
    "done": _("Completed (on time or late)"),
    "open": _("Not completed"),
    "not_due": _("Not yet due"),
    **{status: AssignmentStatus(status).label for status in REPORT_STATUSES},
}

DIMENSIONS = ("department", "location", "manager", "requirement", "version", "language")
DIMENSION_LABELS = {
    "overall": _("Everyone in the report"),
    "department": _("Department"),
    "location": _("Location"),
    "manager": _("Manager"),
    "requirement": _("Requirement"),
    "version": _("Policy version"),
    "language": _("Language"),
    "due_week": _("Due in week"),
    "done_week": _("Completed in week"),
}
NO_MANAGER = "none"

TREND_WEEKS_BACK = 26
TREND_WEEKS_AHEAD = 4
OVERDUE_LIST_LENGTH = 50
# Quiz insight reads every attempt (two million at 100,000 employees: seconds). What people get
# wrong moves slowly, so today's figures are kept this long; a past day's never change.
QUIZ_INSIGHT_FRESH_FOR = 10 * 60
QUIZ_INSIGHT_PAST_DAY_FOR = 24 * 60 * 60
MANAGERS_ON_DASHBOARD = 25

ERROR_UNKNOWN_DIMENSION = _("Unknown breakdown: %(dimension)s.")
ERROR_UNKNOWN_STATUS = _("Unknown status: %(status)s.")


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers. Applied identically to every figure, chart, drill-down and export.

    ``line_of`` (a manager's primary key) limits the report to their direct and indirect reports:
    ``resolved()`` looks up the managers' path they all start with (``line_path``, see
    ``attest.hierarchy``), a condition whose cost does not grow with the size of the line.
    """

    policy: str = ""
    requirement: int | None = None
    department: str = ""
    location: str = ""
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    as_of: datetime.date | None = None
    line_of: int | None = None
    version_ids: frozenset[int] | None = None
    line_path: str | None = None

    def resolved(self) -> ReportFilters:
        """The same filters with the as-of date fixed, so every part of one report agrees, and
        the policy looked up once as the ids of its versions (``version_ids``): PostgreSQL
        estimates a list of ids from its statistics, but a join on the slug hundreds of times
        too low, and then plans nested loops over every assignment."""
        changes = {}
        if not self.as_of:
            changes["as_of"] = timezone.localdate()
        if self.line_of is not None and self.line_path is None:
            changes["line_path"] = line_prefix(Employee.objects.only("managers_path").get(pk=self.line_of))
        if self.policy and self.version_ids is None:
            lookup = Q(policy_id=int(self.policy)) if self.policy.isdigit() else Q(policy__slug=self.policy)
            changes["version_ids"] = frozenset(PolicyVersion.objects.filter(lookup).values_list("pk", flat=True))
        return dataclasses.replace(self, **changes) if changes else self

    @property
    def on(self) -> datetime.date:
        return self.as_of or timezone.localdate()

    def query_params(self) -> dict[str, str]:
        """The filters as GET parameters (the scope is never a parameter: it comes from who asks)."""
        params = {
            "policy": self.policy,
            "requirement": str(self.requirement or ""),
            "department": self.department,
            "location": self.location,
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "",
            "as_of": self.as_of.isoformat() if self.as_of else "",
        }
        return {key: value for key, value in params.items() if value}


@dataclass(frozen=True)
class Selection:
    """The people behind one figure: a breakdown key (``dimension``/``key``) and a status group."""

    dimension: str = "overall"
    key: str = ""
    status: str = "all"

    def __post_init__(self):
        if self.dimension not in DIMENSION_LABELS:
            raise ValueError(ERROR_UNKNOWN_DIMENSION % {"dimension": self.dimension})
        if self.status not in STATUS_GROUPS:
            raise ValueError(ERROR_UNKNOWN_STATUS % {"status": self.status})

    def query_params(self) -> dict[str, str]:
        params = {"dimension": self.dimension, "key": self.key, "status": self.status}
        return {name: value for name, value in params.items() if value and value not in ("overall", "all")}


# --- SQL building blocks -------------------------------------------------------------------


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (both dates), as an integer on every database."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        (end_sql, end_params), (start_sql, start_params) = (compiler.compile(e) for e in self.source_expressions)
        if connection.vendor == "postgresql":
            return f"({end_sql} - {start_sql})", (*end_params, *start_params)
        return (
            f"CAST(julianday({end_sql}) - julianday({start_sql}) AS INTEGER)",
            (*end_params, *start_params),
        )


class AttestedScore(Func):
    """The mean of the chapter quiz scores recorded on an attestation (``quiz_results``)."""

    output_field = IntegerField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return (
                f"(SELECT CAST(ROUND(AVG((r.value->>'score')::numeric)) AS integer) "  # noqa: S608 - compiled SQL of an expression, not user input
                f"FROM jsonb_array_elements({sql}) AS r)",
                params,
            )
        return (
            f"(SELECT CAST(ROUND(AVG(json_extract(r.value, '$.score'))) AS INTEGER) FROM json_each({sql}) AS r)",  # noqa: S608 - compiled SQL of an expression, not user input
            params,
        )


class IsoUtc(Func):
    """A timestamp as ISO 8601 text in UTC (``2026-03-02T13:05:09Z``), formatted by the database."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        return f"strftime(%s, {sql})", ("%Y-%m-%dT%H:%M:%SZ", *params)


class FormulaSafe(Func):
    """Text that a spreadsheet will not run: a leading ``= + - @``, tab or carriage return (or
    a full-width form) gets a single quote in front, as OWASP recommends for CSV."""

    output_field = TextField()
    arity = 1

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        marks = ", ".join(["%s"] * len(FORMULA_PREFIXES))
        return (
            f"CASE WHEN SUBSTR({sql}, 1, 1) IN ({marks}) THEN %s || {sql} ELSE {sql} END",
            (*params, *FORMULA_PREFIXES, "'", *params, *params),
        )


def formula_safe(value):
    """The Python twin of ``FormulaSafe``, for values that never went through SQL."""
    if isinstance(value, str) and value[:1] in FORMULA_PREFIXES:
        return "'" + value
    return value


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


# --- Detail rows (drill-down, exports, the pandas frame) -------------------------------------


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


# --- The dashboard -------------------------------------------------------------------------
#
# The aggregates group by plain columns and count each status with a filtered COUNT, so
# PostgreSQL estimates the groups from its column statistics, hashes them in parallel workers,
# and never sorts 300,000 rows (grouping by a computed status, or GROUPING SETS, is several
# times slower there).


def status_conditions(as_of: datetime.date) -> dict[str, Q]:
    """The status rule's conditions for the statuses a report counts (cancelled assignments are
    out of its scope), mutually exclusive."""
    return {
        status: condition
        for status, condition in assignment_status_conditions(as_of).items()
        if status in REPORT_STATUSES
    }


def _status_counts(as_of: datetime.date) -> dict[str, Count]:
    return {f"n_{status}": Count("pk", filter=condition) for status, condition in status_conditions(as_of).items()}


def _counts_frame(rows: list[dict], keys: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=[*keys, *(f"n_{status}" for status in REPORT_STATUSES)])
    frame = frame.rename(columns={f"n_{status}": status for status in REPORT_STATUSES})
    frame[list(REPORT_STATUSES)] = frame[list(REPORT_STATUSES)].fillna(0).astype("int64")
    return frame


def cube_frame(filters: ReportFilters) -> pd.DataFrame:
    """Counts per status for every combination of department, location, requirement, version,
    employee language and signed language: the source of every breakdown but the manager's."""
    filters = filters.resolved()
    keys = ["department", "location", "requirement_id", "version_id", "employee_language", "signed_locale"]
    rows = (
        assignments_in_scope(filters)
        .values(
            "requirement_id",
            "version_id",
            "signed_locale",
            department=F("employee__department"),
            location=F("employee__location"),
            employee_language=F("employee__language"),
        )
        .annotate(**_status_counts(filters.on))
        .order_by()
    )
    return _counts_frame(list(rows), keys)


def _with_rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Add totals and rates to a frame with a count column per report status."""
    counts = counts.copy()
    counts["total"] = counts[list(REPORT_STATUSES)].sum(axis=1)
    counts["required"] = counts["total"] - counts[EXEMPT]
    counts["done"] = counts[COMPLETED] + counts[COMPLETED_LATE]
    counts["not_due"] = counts[ASSIGNED] + counts[IN_PROGRESS]
    counts["open"] = counts["not_due"] + counts[OVERDUE] + counts[DECLINED]
    required = counts["required"].where(counts["required"] > 0)
    counts["completion_rate"] = (counts["done"] / required).fillna(0.0)
    counts["on_time_rate"] = (counts[COMPLETED] / required).fillna(0.0)
    counts["overdue_rate"] = (counts[OVERDUE] / required).fillna(0.0)
    return counts


BREAKDOWN_COLUMNS = (
    "key",
    "label",
    "detail",
    "total",
    "required",
    "done",
    COMPLETED,
    COMPLETED_LATE,
    "open",
    OVERDUE,
    "not_due",
    EXEMPT,
    DECLINED,
    "completion_rate",
    "on_time_rate",
    "overdue_rate",
)


def _rollup(frame: pd.DataFrame, key: str, labels=None) -> pd.DataFrame:
    """Sum the status counts of ``frame`` per ``key`` and add labels, totals and rates."""
    if frame.empty:
        return pd.DataFrame(columns=list(BREAKDOWN_COLUMNS))
    grouped = frame.groupby(key, dropna=False)[list(REPORT_STATUSES)].sum().reset_index()
    grouped["key"] = grouped[key].map(lambda value: "" if pd.isna(value) else str(value))
    grouped["label"] = grouped[key].map(labels) if labels is not None else grouped["key"]
    grouped["label"] = grouped["label"].fillna(grouped["key"])
    grouped["detail"] = ""
    return _with_rates(grouped).sort_values("label")[list(BREAKDOWN_COLUMNS)].reset_index(drop=True)


def rollup(cube: pd.DataFrame, dimension: str, choices: FilterChoices | None = None) -> pd.DataFrame:
    """One breakdown of the cube (any dimension but the manager's), with labels."""
    if dimension in ("department", "location"):
        return _rollup(cube, dimension)
    if dimension == "requirement":
        return _rollup(cube, "requirement_id", dict(choices.requirements) if choices else None)
    if dimension == "version":
        return _rollup(cube, "version_id", choices.versions if choices else None)
    if dimension == "language":
        return _rollup(_language_frame(cube), "language", dict(Language.choices))
    raise ValueError(ERROR_UNKNOWN_DIMENSION % {"dimension": dimension})


def _language_frame(cube: pd.DataFrame) -> pd.DataFrame:
    """Completed assignments count in the language they were signed in; the rest in the
    employee's language."""
    signed = cube["signed_locale"].where(cube["signed_locale"] != "", cube["employee_language"])
    done_part = cube[list(REPORT_STATUSES)].copy()
    done_part[[s for s in REPORT_STATUSES if s not in DONE]] = 0
    done_part["language"] = signed
    open_part = cube[list(REPORT_STATUSES)].copy()
    open_part[list(DONE)] = 0
    open_part["language"] = cube["employee_language"]
    return pd.concat([done_part, open_part], ignore_index=True)


def _headline(cube: pd.DataFrame) -> dict:
    """The overall counts and rates as plain Python numbers."""
    totals = cube[list(REPORT_STATUSES)].sum() if not cube.empty else pd.Series(0, index=list(REPORT_STATUSES))
    row = _with_rates(pd.DataFrame([totals.to_dict()])).iloc[0]
    return {str(name): (float(value) if str(name).endswith("_rate") else int(value)) for name, value in row.items()}


def manager_frame(filters: ReportFilters, *, top: int | None = None) -> pd.DataFrame:
    """Counts per direct manager. With ``top``, only the managers with the most overdue reports
    (and people without a manager), so the dashboard stays cheap: their ids are fetched first, as
    a subquery would be estimated at half the organisation and counted with a scan of every
    assignment instead of the index walk a short list of ids gets."""
    filters = filters.resolved()
    rows = assignments_in_scope(filters)
    if top is not None:
        ranked = list(
            rows.filter(status_conditions(filters.on)[OVERDUE], employee__manager__isnull=False)
            .values("employee__manager_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "employee__manager_id")
            .values_list("employee__manager_id", flat=True)[:top]
        )
        rows = rows.filter(Q(employee__manager_id__in=ranked) | Q(employee__manager__isnull=True))
    keys = ["manager_pk", "first_name", "last_name", "email"]
    records = list(
        rows.values(
            manager_pk=F("employee__manager_id"),
            first_name=F("employee__manager__first_name"),
            last_name=F("employee__manager__last_name"),
            email=F("employee__manager__email"),
        )
        .annotate(**_status_counts(filters.on))
        .order_by()
    )
    frame = _counts_frame(records, keys)
    if frame.empty:
        return pd.DataFrame(columns=list(BREAKDOWN_COLUMNS))
    has_manager = frame["manager_pk"].notna()
    frame["key"] = frame["manager_pk"].map(lambda pk: str(int(pk)) if pd.notna(pk) else NO_MANAGER)
    names = frame["first_name"].fillna("") + " " + frame["last_name"].fillna("")
    frame["label"] = names.where(has_manager, str(_("No manager")))
    frame["detail"] = frame["email"].fillna("")
    frame = _with_rates(frame).sort_values([OVERDUE, "label"], ascending=[False, True])
    return frame[list(BREAKDOWN_COLUMNS)].reset_index(drop=True)


def trend_window(filters: ReportFilters) -> tuple[datetime.date, datetime.date]:
    """The weeks the trend covers: the due-date filter if set, else 26 weeks back and 4 ahead."""
    as_of = filters.on
    start = filters.due_from or as_of - datetime.timedelta(weeks=TREND_WEEKS_BACK)
    end = filters.due_to or as_of + datetime.timedelta(weeks=TREND_WEEKS_AHEAD)
    start -= datetime.timedelta(days=start.weekday())
    end += datetime.timedelta(days=6 - end.weekday())
    return start, max(start + datetime.timedelta(days=6), end)


def trend_frame(filters: ReportFilters) -> pd.DataFrame:
    """Per ISO week: assignments falling due (exempt ones aside), how many of those are done,
    and the completions made that week. One pass over the assignments, grouped by the week each
    falls due and the week it was completed (when either is inside the window)."""
    filters = filters.resolved()
    start, end = trend_window(filters)
    conditions = status_conditions(filters.on)
    done = conditions[COMPLETED] | conditions[COMPLETED_LATE]
    due_inside = Q(due_on__range=(start, end))
    done_inside = done & Q(completed_on__range=(start, end))
    rows = (
        assignments_in_scope(filters)
        .filter(due_inside | done_inside)
        .values(
            due_week=TruncWeek(Case(When(due_inside, then=F("due_on")), output_field=DateField())),
            done_week=TruncWeek(Case(When(done_inside, then=F("completed_on")), output_field=DateField())),
        )
        .annotate(
            due=Count("pk", filter=~conditions[EXEMPT]), due_and_done=Count("pk", filter=done), completed=Count("pk")
        )
        .order_by()
    )
    counts = pd.DataFrame.from_records(
        list(rows), columns=["due_week", "done_week", "due", "due_and_done", "completed"]
    )
    weeks = pd.period_range(start=start, end=end, freq="W-SUN")

    def per_week(week_column: str, count_column: str) -> pd.Series:
        part = counts[counts[week_column].notna()]
        if part.empty:
            return pd.Series(0, index=weeks, dtype="int64")
        periods = pd.to_datetime(part[week_column]).dt.to_period("W-SUN")
        return part.groupby(periods)[count_column].sum().reindex(weeks, fill_value=0).astype("int64")

    trend = pd.DataFrame(
        {
            "due": per_week("due_week", "due"),
            "due_and_done": per_week("due_week", "due_and_done"),
            "completed": per_week("done_week", "completed"),
        },
        index=weeks,
    )
    trend["week_start"] = [period.start_time.date() for period in weeks]
    trend["week"] = ["{}-W{:02d}".format(*day.isocalendar()[:2]) for day in trend["week_start"]]
    return trend[["week", "week_start", "due", "due_and_done", "completed"]].reset_index(drop=True)


def overdue_list(filters: ReportFilters, limit: int | None = OVERDUE_LIST_LENGTH) -> pd.DataFrame:
    """The people overdue as of the date, longest overdue first, with reminders already sent."""
    filters = filters.resolved()
    as_of = filters.on
    reminders = (
        ReminderLog.objects.filter(assignment=OuterRef("pk"), sent_at__lt=end_of_day(as_of))
        .order_by()
        .values("assignment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        assignments_in_scope(filters)
        .filter(status_conditions(as_of)[OVERDUE])
        .annotate(
            reminders_sent=Coalesce(Subquery(reminders, output_field=IntegerField()), 0),
            full_name=Concat("employee__first_name", Value(" "), "employee__last_name", output_field=TextField()),
            manager_name=Concat(
                "employee__manager__first_name", Value(" "), "employee__manager__last_name", output_field=TextField()
            ),
            days_overdue=DaysBetween(Value(as_of, DateField()), F("due_on")),
            needs_hr=needs_hr(),
        )
        .order_by("due_on", "employee__last_name", "pk")
        .values_list(
            "pk",
            "employee__employee_id",
            "full_name",
            "employee__email",
            "employee__department",
            "employee__location",
            "manager_name",
            "employee__manager__email",
            "requirement__name",
            "version__number",
            "due_on",
            "days_overdue",
            "reminders_sent",
            "needs_hr",
        )
    )
    if limit is not None:
        rows = rows[:limit]
    columns = [
        "assignment",
        "employee_id",
        "full_name",
        "email",
        "department",
        "location",
        "manager_name",
        "manager_email",
        "requirement",
        "version",
        "due_on",
        "days_overdue",
        "reminders",
        "needs_hr",
    ]
    return pd.DataFrame.from_records(list(rows), columns=columns)


@dataclass
class Dashboard:
    """Everything the dashboard shows, as plain numbers and pandas frames."""

    filters: ReportFilters
    generated_at: datetime.datetime
    headline: dict
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    trend: pd.DataFrame | None = None
    overdue: pd.DataFrame | None = None
    choices: FilterChoices | None = None
    managers_complete: bool = True


@dataclass
class FilterChoices:
    """What the filter form offers, and the labels of requirements and versions."""

    policies: list[tuple[str, str]]
    requirements: list[tuple[int, str]]
    departments: list[str]
    locations: list[str]
    versions: dict[int, str] = field(default_factory=dict)


def _everyones_places() -> list[tuple[str, str]]:
    """Every department ("d") and location ("l") in one query that walks their indexes from
    one value to the next (a "loose index scan"): a dozen index probes each, where ``DISTINCT``
    reads all 100,000 employees."""
    table = connection.ops.quote_name(Employee._meta.db_table)
    walks = []
    for kind, column in (("d", "department"), ("l", "location")):
        column = connection.ops.quote_name(column)
        walks.append(
            f"{kind}(value) AS (SELECT MIN({column}) FROM {table} UNION ALL "  # noqa: S608 - table and column names come from the model
            f"SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > {kind}.value) FROM {kind} WHERE {kind}.value IS NOT NULL)"
        )
    sql = (
        f"WITH RECURSIVE {', '.join(walks)} "  # noqa: S608 - only names from the model
        "SELECT 'd', value FROM d WHERE value IS NOT NULL UNION ALL SELECT 'l', value FROM l WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def filter_choices(*, scope: ReportFilters | None = None) -> FilterChoices:
    """Released policies (with their versions' labels), requirements, and the departments and
    locations of the people in ``scope`` (everyone, or a manager's line): three queries."""
    policies: dict[str, str] = {}
    versions = {}
    for pk, number, title, slug in PolicyVersion.objects.order_by("policy__title", "released_at").values_list(
        "pk", "number", "policy__title", "policy__slug"
    ):
        versions[pk] = f"{title} {number}"
        policies[slug] = title
    requirements = list(Requirement.objects.order_by("name").values_list("pk", "name"))
    departments, locations = set(), set()
    if scope is None or scope.line_of is None:
        for kind, name in _everyones_places():
            (departments if kind == "d" else locations).add(name)
    else:  # one pass over the line: its (department, location) pairs are a few hundred at most
        people = employees_in_scope(ReportFilters(line_of=scope.line_of, line_path=scope.line_path)).order_by()
        for department, location in people.values_list("department", "location").distinct():
            departments.add(department)
            locations.add(location)
    return FilterChoices(
        policies=sorted(policies.items(), key=lambda item: item[1]),
        requirements=requirements,
        departments=sorted(departments),
        locations=sorted(locations),
        versions=versions,
    )


def dashboard(
    filters: ReportFilters,
    *,
    managers: int | None = MANAGERS_ON_DASHBOARD,
    overdue_limit: int | None = OVERDUE_LIST_LENGTH,
    choices: FilterChoices | None = None,
) -> Dashboard:
    """Every figure of the dashboard in at most eight queries (nine with a policy filter), whatever
    the size of the organisation: three for the filter choices, the cube, two for the managers,
    the trend and the overdue list.

    ``managers`` limits the manager breakdown to those with the most overdue reports (None: all)."""
    filters = filters.resolved()
    choices = choices or filter_choices(scope=filters)
    cube = cube_frame(filters)
    breakdowns = {
        dimension: manager_frame(filters, top=managers) if dimension == "manager" else rollup(cube, dimension, choices)
        for dimension in DIMENSIONS
    }
    return Dashboard(
        filters=filters,
        generated_at=timezone.now(),
        headline=_headline(cube),
        breakdowns=breakdowns,
        trend=trend_frame(filters),
        overdue=overdue_list(filters, limit=overdue_limit) if overdue_limit != 0 else None,
        choices=choices,
        managers_complete=managers is None,
    )


def describe_filters(filters: ReportFilters, *, scope_label: str = "") -> list[tuple[str, str]]:
    """The filters as (label, value) pairs in words, for the top of every export."""
    filters = filters.resolved()
    described = [(str(_("As of")), filters.on.isoformat())]
    if filters.policy:
        lookup = Q(pk=int(filters.policy)) if filters.policy.isdigit() else Q(slug=filters.policy)
        policy = PolicyPage.objects.filter(lookup).values_list("title", flat=True).first()
        described.append((str(_("Policy")), policy or filters.policy))
    if filters.requirement:
        name = Requirement.objects.filter(pk=filters.requirement).values_list("name", flat=True).first()
        described.append((str(_("Requirement")), name or str(filters.requirement)))
    if filters.department:
        described.append((str(_("Department")), filters.department))
    if filters.location:
        described.append((str(_("Location")), filters.location))
    if filters.due_from:
        described.append((str(_("Due from")), filters.due_from.isoformat()))
    if filters.due_to:
        described.append((str(_("Due until")), filters.due_to.isoformat()))
    described.append((str(_("People")), scope_label or str(_("Everyone"))))
    return described


def selection_label(selection: Selection, filters: ReportFilters | None = None) -> str:
    """A figure's name in words, e.g. "Department: Retail — Overdue". A manager is named only
    if the reader may see them: the manager themself or someone in their line."""
    status = str(STATUS_GROUP_LABELS[selection.status])
    if selection.dimension == "overall":
        return status
    key = selection.key
    if selection.dimension == "manager":
        if key == NO_MANAGER:
            key = str(_("No manager"))
        elif key.isdigit():
            people = Employee.objects.filter(pk=int(key))
            if filters is not None and filters.line_of is not None and int(key) != filters.line_of:
                people = people.filter(in_line(filters.resolved().line_path))
            manager = people.first()
            key = manager.full_name if manager else key
    elif selection.dimension == "requirement" and key.isdigit():
        key = Requirement.objects.filter(pk=int(key)).values_list("name", flat=True).first() or key
    elif selection.dimension == "version" and key.isdigit():
        version = PolicyVersion.objects.filter(pk=int(key)).select_related("policy").first()
        key = str(version) if version else key
    elif selection.dimension == "language":
        key = dict(Language.choices).get(key, key)
    return f"{DIMENSION_LABELS[selection.dimension]}: {key} — {status}"


# --- Quiz insight --------------------------------------------------------------------------


@dataclass
class QuestionInsight:
    question_id: str
    prompt: str
    asked: int
    wrong: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.asked if self.asked else 0.0


@dataclass
class ChapterInsight:
    version: str
    position: int
    chapter_key: str
    title: str
    learners: int
    attempts: int
    passed: int
    first_try: int
    questions: list[QuestionInsight]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.learners if self.learners else 0.0

    @property
    def average_attempts(self) -> float:
        return self.attempts / self.learners if self.learners else 0.0

    @property
    def first_try_rate(self) -> float:
        return self.first_try / self.learners if self.learners else 0.0


def _attempts_in_scope(filters: ReportFilters) -> QuerySet[QuizAttempt]:
    attempts = QuizAttempt.objects.filter(submitted_at__isnull=False, submitted_at__lt=end_of_day(filters.on))
    if filters.policy:
        attempts = attempts.filter(version_id__in=sorted(filters.version_ids))
    if filters.department or filters.location or filters.line_of is not None:
        attempts = attempts.filter(user__employee__in=employees_in_scope(filters).values("pk"))
    return attempts.order_by()


def _uuid_text(value) -> str:
    """A chapter key as canonical UUID text, however the database returned it (SQLite: bare hex)."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _answers_sql(attempts: QuerySet[QuizAttempt]) -> tuple[str, tuple]:
    sql, params = attempts.values_list("version_id", "chapter_key", "answers").query.sql_with_params()
    each = "jsonb_each(a.answers)" if connection.vendor == "postgresql" else "json_each(a.answers)"
    return (
        f"WITH a (version_id, chapter_key, answers) AS ({sql}) "  # noqa: S608 - compiled SQL of a queryset, not user input
        f"SELECT a.version_id, a.chapter_key, j.key, j.value, COUNT(*) FROM a, {each} AS j "
        f"GROUP BY a.version_id, a.chapter_key, j.key, j.value",
        params,
    )


def quiz_insight_cached(filters: ReportFilters) -> tuple[list[ChapterInsight], datetime.datetime]:
    """``quiz_insight`` and when it was computed, from the cache when it is fresh enough."""
    filters = filters.resolved()
    scope = [*sorted(filters.query_params().items()), ("on", filters.on.isoformat()), ("line", filters.line_path or "")]
    key = "quiz-insight:" + hashlib.sha256(json.dumps(scope).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = (quiz_insight(filters), timezone.now())
        past_day = filters.on < timezone.localdate()
        cache.set(key, found, QUIZ_INSIGHT_PAST_DAY_FOR if past_day else QUIZ_INSIGHT_FRESH_FOR)
    return found


def quiz_insight(filters: ReportFilters, *, top_questions: int = 5) -> list[ChapterInsight]:
    """Per chapter quiz: pass rate, average attempts and the questions most often answered wrong.

    Counts are grouped in SQL (answers are unpacked from their JSON by the database), so the
    cost does not grow with the number of attempts; prompts and correct options come from the
    frozen copy of each released chapter.
    """
    filters = filters.resolved()
    attempts = _attempts_in_scope(filters)
    per_chapter = (
        attempts.values("version_id", "chapter_key")
        .annotate(
            n_learners=Count("user_id", distinct=True),
            n_attempts=Count("pk"),
            n_passed=Count("user_id", distinct=True, filter=Q(passed=True)),
            n_first_try=Count("pk", filter=Q(passed=True, number=1)),
        )
        .order_by()
    )
    stats = {(row["version_id"], str(row["chapter_key"])): row for row in per_chapter}
    if not stats:
        return []
    sql, params = _answers_sql(attempts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        answer_counts = cursor.fetchall()
    wanted_ids: dict[tuple, set[str]] = {}
    for version_id, chapter_key, question_id, _answer, _count in answer_counts:
        wanted_ids.setdefault((version_id, _uuid_text(chapter_key)), set()).add(question_id)
    chapters = sorted(
        PolicyVersionChapter.objects.filter(version_id__in={version_id for version_id, _key in stats}).select_related(
            "version__policy", "locale"
        ),
        key=lambda c: (c.version_id, c.position, c.locale.language_code != settings.LANGUAGE_CODE),
    )
    titles: dict[tuple, tuple[int, str, str]] = {}
    questions: dict[tuple, dict[str, dict]] = {}
    for chapter in chapters:
        ident = (chapter.version_id, str(chapter.chapter_key))
        if ident not in stats:
            continue
        titles.setdefault(
            ident, (chapter.position, chapter.title, f"{chapter.version.policy.title} {chapter.version.number}")
        )
        known = questions.setdefault(ident, {})
        if not chapter.has_quiz or not (wanted_ids.get(ident, set()) - set(known)):
            continue
        for block in chapter.page.questions:
            known.setdefault(
                block.id,
                {
                    "prompt": block.value["prompt"],
                    "correct": {i for i, option in enumerate(block.value["options"]) if option["is_correct"]},
                },
            )
    asked: dict[tuple, dict[str, list[int]]] = {}
    for version_id, chapter_key, question_id, answer, count in answer_counts:
        ident = (version_id, _uuid_text(chapter_key))
        selected = json.loads(answer) if isinstance(answer, str) else answer
        correct = questions.get(ident, {}).get(question_id, {}).get("correct")
        tally = asked.setdefault(ident, {}).setdefault(question_id, [0, 0])
        tally[0] += count
        if correct is None or set(selected or []) != correct:
            tally[1] += count
    insights = []
    for ident, entry in stats.items():
        known = questions.get(ident, {})
        position, title, version_name = titles.get(ident, (0, ident[1], str(ident[0])))
        question_rows = [
            QuestionInsight(
                question_id=question_id,
                prompt=known.get(question_id, {}).get("prompt", question_id),
                asked=tally[0],
                wrong=tally[1],
            )
            for question_id, tally in asked.get(ident, {}).items()
        ]
        question_rows.sort(key=lambda q: (-q.wrong_rate, -q.wrong, q.prompt))
        insights.append(
            ChapterInsight(
                version=version_name,
                position=position,
                chapter_key=ident[1],
                title=title,
                learners=entry["n_learners"],
                attempts=entry["n_attempts"],
                passed=entry["n_passed"],
                first_try=entry["n_first_try"],
                questions=[q for q in question_rows if q.wrong][:top_questions],
            )
        )
    insights.sort(key=lambda c: (c.version, c.position))
    return insights
