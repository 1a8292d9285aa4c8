"""The reporting line, stored on each employee as the path of their managers (``/1/17/342/``,
top first), so "everyone below X" is a prefix test on one indexed column: no recursive query,
and no list of 100,000 ids, in every report query of a manager's dashboard.

The paths are derived data. Everything that writes a manager (the roster import, HR's
correction form, the synthetic organisation) calls ``reporting_paths_refresh`` in the same
transaction, which recomputes every path in one statement, having first taken the roster lock
(``roster.lock_roster``) so that two changes never compute paths from each other's old links.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Employee

ERROR_MANAGER_LOOP = _("Manager loop: %(chain)s.")
ERROR_LINE_TOO_DEEP = _(
    "This puts %(employee)s %(levels)s levels of managers below the top; at most %(limit)s are allowed."
)

# No organisation has more levels than this; the limit keeps every path short (a file where
# 100,000 people each manage the next would otherwise store gigabytes of paths).
MAX_DEPTH = 50


# --- The rules a change of managers must keep -------------------------------------------------


def line_problems(managers: dict[str, str], changed: Iterable[str]) -> dict[str, list[str]]:
    """What is wrong with the reporting line ``managers`` ({employee id: their manager's id}, after
    the change) for each of the ``changed`` people (the rows of a roster file, the person HR's
    form moves): a loop through them, or someone at or below them, put there by this change,
    more than ``MAX_DEPTH`` levels down (named on the nearest changed person above them). The
    roster import and HR's form both ask this, so both refuse the same lines with the same words."""
    changed = set(changed)
    problems: dict[str, list[str]] = {}
    for loop in manager_loops(managers):
        for position, employee_id in enumerate(loop):
            if employee_id in changed:
                chain = " → ".join([*loop[position:], *loop[:position], employee_id])
                problems.setdefault(employee_id, []).append(str(ERROR_MANAGER_LOOP % {"chain": chain}))
    deepest: dict[str, tuple[int, str]] = {}
    for employee_id, level in levels_below_top(managers).items():
        if level <= MAX_DEPTH:
            continue
        node = employee_id
        while node not in changed and node in managers:
            node = managers[node]
        if node in changed and level > deepest.get(node, (0, ""))[0]:
            deepest[node] = (level, employee_id)
    for employee_id, (level, below) in deepest.items():
        message = ERROR_LINE_TOO_DEEP % {"employee": below, "levels": level, "limit": MAX_DEPTH}
        problems.setdefault(employee_id, []).append(str(message))
    return problems


def levels_below_top(managers: dict[str, str]) -> dict[str, int]:
    """How many managers are above each person (0 for people caught in a loop: reported apart)."""
    levels: dict[str, int] = {}
    for start in managers:
        path, on_path, node = [], set(), start
        while node in managers and node not in levels and node not in on_path:
            on_path.add(node)
            path.append(node)
            node = managers[node]
        if node in on_path:
            levels.update((person, 0) for person in path)
            continue
        level = levels.get(node, 0)
        for person in reversed(path):
            level += 1
            levels[person] = level
    return levels


def manager_loops(managers: dict[str, str]) -> list[list[str]]:
    """Every loop in the reporting line (someone who is, through their managers, their own manager)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    loops = []
    for start in managers:
        if start in state:
            continue
        path, position = [], {}
        node = start
        while node is not None and node not in state:
            state[node] = 1
            position[node] = len(path)
            path.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            loops.append(path[position[node] :])
        for visited in path:
            state[visited] = 2
    return loops


def managers_by_id() -> dict[str, str]:
    """Today's reporting line as ``line_problems`` takes it: {employee id: their manager's id}."""
    return dict(Employee.objects.filter(manager__isnull=False).values_list("employee_id", "manager__employee_id"))


# --- Paths ------------------------------------------------------------------------------------


def depth(path: str) -> int:
    """How many managers are above someone with this path."""
    return path.count("/") - 1


def line_prefix(manager: Employee) -> str:
    """The path every direct and indirect report of ``manager`` starts with."""
    return f"{manager.managers_path}{manager.pk}/"


def in_line(prefix: str, field: str = "managers_path") -> Q:
    return Q(**{f"{field}__startswith": prefix})


def reporting_paths_refresh() -> int:
    """Recompute every employee's path from the manager links; return how many changed.

    One recursive statement from the top of each line down (the roster import refuses loops, and
    someone caught in one would simply keep their old path)."""
    table = connection.ops.quote_name(Employee._meta.db_table)
    # The statement starts with UPDATE (the recursive part is a subquery): sqlite3 reports how
    # many rows changed only for statements that begin with the verb.
    sql = (
        f"UPDATE {table} SET managers_path = tree.path FROM ("  # noqa: S608 - the table name comes from the model
        f"WITH RECURSIVE walk(id, path) AS ("
        f"SELECT id, CAST('/' AS TEXT) FROM {table} WHERE manager_id IS NULL "
        f"UNION ALL SELECT e.id, walk.path || CAST(e.manager_id AS TEXT) || '/' "
        f"FROM {table} e INNER JOIN walk ON e.manager_id = walk.id) SELECT id, path FROM walk) AS tree "
        f"WHERE {table}.id = tree.id AND {table}.managers_path <> tree.path"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount
