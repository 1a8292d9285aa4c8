"""The HR dashboard and the manager view: headline, breakdowns, managers, trend and the overdue list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Case, Count, DateField, F, IntegerField, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Language, ReminderLog
from ..status import end_of_day
from .choices import FilterChoices, filter_choices
from .detail import needs_hr
from .filters import (
    ASSIGNED,
    COMPLETED,
    COMPLETED_LATE,
    DECLINED,
    DIMENSIONS,
    DONE,
    ERROR_UNKNOWN_DIMENSION,
    EXEMPT,
    IN_PROGRESS,
    NO_MANAGER,
    OVERDUE,
    REPORT_STATUSES,
    ReportFilters,
)
from .scope import assignments_in_scope, status_conditions
from .sql import DaysBetween

TREND_WEEKS_BACK = 26


TREND_WEEKS_AHEAD = 4


OVERDUE_LIST_LENGTH = 50


MANAGERS_ON_DASHBOARD = 25


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
