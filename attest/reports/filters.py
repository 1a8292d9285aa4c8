"""What a report is asked: its filters, the figure selected, its statuses and breakdowns, and all of it in words."""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models import PolicyPage, PolicyVersion

from ..hierarchy import in_line, line_prefix
from ..models import Employee, Language, Requirement
from ..status import AssignmentStatus

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
