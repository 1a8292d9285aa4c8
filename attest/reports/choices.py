"""What the filter forms offer: released policies, requirements, and the departments and locations of the people in scope."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from training.models import PolicyVersion

from ..models import Employee, Requirement
from .filters import ReportFilters
from .scope import employees_in_scope


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
