"""The reporting line, stored on each employee as the path of their managers (``/1/17/342/``,
top first), so "everyone below X" is a prefix test on one indexed column: no recursive query,
and no list of 100,000 ids, in every report query of a manager's dashboard.

The paths are derived data. Everything that writes a manager (the roster import, HR's
correction form, the synthetic organisation) calls ``reporting_paths_refresh`` in the same
transaction, which recomputes every path in one statement, having first taken the roster lock
(``roster.lock_roster``) so that two changes never compute paths from each other's old links.
"""

from django.db import connection
from django.db.models import Q

from .models import Employee

# No organisation has more levels than this; the limit keeps every path short (a file where
# 100,000 people each manage the next would otherwise store gigabytes of paths).
MAX_DEPTH = 50


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
