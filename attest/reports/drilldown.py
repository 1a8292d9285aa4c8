"""HR's drill-down in the admin: the rows it lists, its title and the filters it shows.

Reads only. The columns are what HR needs at a glance; the rest of an assignment's detail is on
its own admin page and in the exports (``reports.COLUMNS``), which are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .. import reports

# The drill-down's columns, besides the assignment's and the employee's primary keys.
ROW_FIELDS = (
    "full_name",
    "department",
    "requirement",
    "policy",
    "version",
    "status",
    "due_on",
    "completed_at",
    "needs_hr",
    "identity_change",
)

# "Overdue assignments", not "Overdue": the page lists assignments, whatever the status.
TITLES = {
    "all": _("Assignments"),
    "required": _("Required assignments (not exempt)"),
    "done": _("Completed assignments (on time or late)"),
    "open": _("Assignments not completed"),
    "not_due": _("Assignments not yet due"),
    reports.ASSIGNED: _("Assigned, not started"),
    reports.IN_PROGRESS: _("Assignments in progress"),
    reports.OVERDUE: _("Overdue assignments"),
    reports.DECLINED: _("Declined assignments, awaiting HR"),
    reports.COMPLETED: _("Assignments completed on time"),
    reports.COMPLETED_LATE: _("Assignments completed late"),
    reports.EXEMPT: _("Exempt assignments"),
}
TITLE_UNFILTERED = _("All assignments")


@dataclass(frozen=True)
class ActiveFilter:
    """One filter in force, in words, and the drill-down without it."""

    label: str
    value: str
    clear_url: str


def rows(filters: reports.ReportFilters, selection: reports.Selection) -> QuerySet:
    """One dict per assignment (``pk``, ``employee_pk`` and ``ROW_FIELDS``), in the order of the exports."""
    filters = filters.resolved()
    expressions = reports.detail_expressions(filters.on)
    selected = reports.select(reports.assignments_in_scope(filters), selection, filters.on)
    return (
        selected.annotate(employee_pk=F("employee_id"), **{f"r_{name}": expressions[name] for name in ROW_FIELDS})
        .order_by("due_on", "employee__last_name", "employee__first_name", "pk")
        .values("pk", "employee_pk", *(f"r_{name}" for name in ROW_FIELDS))
    )


def row_dict(row: dict) -> dict:
    return {"pk": row["pk"], "employee_pk": row["employee_pk"], **{name: row[f"r_{name}"] for name in ROW_FIELDS}}


def _query(params: dict[str, str]) -> str:
    return "?" + urlencode(params) if params else "?"


def active_filters(
    filters: reports.ReportFilters, selection: reports.Selection, *, default_as_of
) -> list[ActiveFilter]:
    """Each filter in force (the figure's key, then the report filters), with a link that clears
    it and keeps the others. The status is the title; "as of" counts only when not today."""
    params = {**filters.query_params(), **selection.query_params()}
    if filters.as_of == default_as_of:
        params.pop("as_of", None)
    described = dict(reports.describe_filters(filters))
    found = []
    if selection.dimension != "overall":
        label = reports.selection_label(selection, filters)
        value = label.split(": ", 1)[1].rsplit(" — ", 1)[0] if ": " in label else label
        found.append((str(reports.DIMENSION_LABELS[selection.dimension]), value, ("dimension", "key")))
    names = {
        "policy": _("Policy"),
        "requirement": _("Requirement"),
        "department": _("Department"),
        "location": _("Location"),
        "due_from": _("Due from"),
        "due_to": _("Due until"),
    }
    for name, label in names.items():
        if name in params:
            value = described.get(str(label), params[name])
            if name in ("due_from", "due_to"):
                value = date_format(getattr(filters, name))
            found.append((str(label), value, (name,)))
    if "as_of" in params:
        found.append((str(_("As of")), date_format(filters.as_of), ("as_of",)))
    return [
        ActiveFilter(
            label=label,
            value=value,
            clear_url=_query({key: val for key, val in params.items() if key not in cleared}),
        )
        for label, value, cleared in found
    ]


def title(selection: reports.Selection, active: list[ActiveFilter]) -> str:
    """E.g. "Overdue assignments — Retail, Oslo"; "All assignments" only when nothing narrows the list."""
    if not active and selection.status == "all":
        return str(TITLE_UNFILTERED)
    heading = str(TITLES[selection.status])
    if not active:
        return heading
    values = dict.fromkeys(item.value for item in active)  # a breakdown's key often repeats a filter
    return f"{heading} — {', '.join(values)}"
