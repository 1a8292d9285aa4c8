"""Multi-row INSERT and UPDATE for the roster import and the assignment sync.

Django's ``bulk_create``/``bulk_update`` compile every value of every row through the ORM (and
``bulk_update`` builds a ``CASE`` per field per batch); at 100,000 rows that alone takes longer
than the whole import may. These write plain parameterised SQL in batches instead. Values go
through the same adapters Django uses (dates, datetimes, JSON, UUIDs), so what lands in the
database is identical to an ORM save. No model ``save()``, signals or ``auto_now`` run: callers
pass every column that matters, including timestamps.
"""

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from itertools import chain

from django.db import IntegrityError, connection, models, transaction


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65_535 if connection.vendor == "postgresql" else connection.features.max_query_params or 999


@contextmanager
def _driver_cursor():
    """The database driver's own cursor and its placeholder. Django's wrapper would, under
    ``DEBUG``, format and keep a copy of every statement with all its parameters; errors are
    still translated to Django's exceptions (``IntegrityError`` and so on). On PostgreSQL the
    cursor binds parameters on the server, so large arrays are not rendered into the SQL text."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            import psycopg

            cursor = psycopg.Cursor(connection.connection)
        else:
            cursor = connection.connection.cursor()
        try:
            yield cursor, "?" if connection.vendor == "sqlite" else "%s"
        finally:
            cursor.close()


_PG_BATCH = 20_000


def _pg_unnest(fields) -> str:
    """``unnest(%s::type[], ...)``: one array parameter per column, whatever the number of rows."""
    return "unnest(" + ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields) + ")"


def _adapter(field: models.Field) -> Callable | None:
    """How a Python value becomes a database value for ``field`` (None: as it is). Values repeat
    a lot in bulk (one timestamp, a few dates, the same log data), so each is adapted once."""
    native_dates = connection.vendor == "postgresql"  # psycopg sends dates and datetimes as they are
    if isinstance(field, models.DateTimeField) and not native_dates:
        adapt = connection.ops.adapt_datetimefield_value
    elif isinstance(field, models.DateField) and not native_dates:
        adapt = connection.ops.adapt_datefield_value
    elif isinstance(field, models.JSONField) and native_dates:

        def adapt(value):
            # JSON text: COPY and ``::jsonb[]`` parse it on the server.
            return json.dumps(value, cls=field.encoder)

    elif isinstance(field, models.JSONField | models.UUIDField):

        def adapt(value):
            return field.get_db_prep_save(value, connection)

    else:
        return None
    cache: dict = {}
    keep: list = []

    def adapted(value):
        key = value
        if isinstance(value, dict | list):
            key = id(value)
            keep.append(value)  # the id stays this object's while the cache lives
        try:
            return cache[key]
        except KeyError:
            cache[key] = result = adapt(value)
            return result

    return adapted


def _adapt_rows(adapters: list[Callable | None], rows: Sequence[Sequence]) -> Sequence[Sequence]:
    todo = [(index, adapt) for index, adapt in enumerate(adapters) if adapt is not None]
    if not todo:
        return rows
    adapted_rows = []
    for row in rows:
        row = list(row)
        for index, adapt in todo:
            row[index] = adapt(row[index])
        adapted_rows.append(row)
    return adapted_rows


def _columns(model, names: Sequence[str]) -> tuple[list[models.Field], str]:
    fields = [model._meta.get_field(name) for name in names]
    return fields, ", ".join(connection.ops.quote_name(field.column) for field in fields)


def insert_rows(
    model, names: Sequence[str], rows: Iterable[Sequence], *, key: str | None = None, ignore_conflicts: bool = False
) -> dict:
    """Insert ``rows`` (tuples of Python values in ``names`` order) into ``model``'s table.

    Columns not named get their field's default, the same for every row (as ``save()`` would
    give them), or the database's own default (``db_default``). With ``key`` (a unique column
    among ``names``), return ``{key value: new primary key}``. With ``ignore_conflicts``, rows
    that would break a unique constraint are skipped."""
    defaults = {
        field.name: field.get_default()
        for field in model._meta.concrete_fields
        if field.name not in names
        and not field.primary_key
        and not field.has_db_default()
        and (field.has_default() or not field.null)
    }
    names = [*names, *defaults]
    rows = [(*row, *defaults.values()) for row in rows] if defaults else list(rows)
    fields, columns = _columns(model, names)
    adapters = [_adapter(field) for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    suffix = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if key:
        suffix += (
            f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}, "
            f"{connection.ops.quote_name(model._meta.get_field(key).column)}"
        )
    created = {}
    if connection.vendor == "postgresql":
        return _pg_insert(model, table, columns, fields, adapters, rows, key=key, ignore_conflicts=ignore_conflicts)
    batch = max(1, min(1000, _max_params() // len(fields)))
    with _driver_cursor() as (cursor, mark):
        placeholder = "(" + ", ".join([mark] * len(fields)) + ")"
        statements = {}
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            if len(chunk) not in statements:
                values = ", ".join([placeholder] * len(chunk))
                statements[len(chunk)] = f"INSERT INTO {table} ({columns}) VALUES {values}{suffix}"  # noqa: S608 - identifiers from model metadata
            params = list(chain.from_iterable(_adapt_rows(adapters, chunk)))
            cursor.execute(statements[len(chunk)], params)
            if key:
                created.update((value, pk) for pk, value in cursor.fetchall())
    return created


def _pg_copy(table: str, columns: str, adapters, rows) -> None:
    with _driver_cursor() as (cursor, _mark), cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in _adapt_rows(adapters, rows):
            copy.write_row(row)


def _pg_insert(model, table, columns, fields, adapters, rows, *, key, ignore_conflicts) -> dict:
    """PostgreSQL: ``COPY``, several times faster than any ``INSERT`` for this many rows. New keys
    are read back by primary key (sequences only grow, so every new row is above the old maximum).
    ``COPY`` cannot skip conflicts: if one occurs, it is undone and the rows go in through
    ``INSERT ... ON CONFLICT DO NOTHING`` instead."""
    pk = connection.ops.quote_name(model._meta.pk.column)
    floor = 0
    if key:
        with _driver_cursor() as (cursor, _mark):
            cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - identifiers from model metadata
            floor = cursor.fetchone()[0]
    try:
        with transaction.atomic():
            _pg_copy(table, columns, adapters, rows)
    except IntegrityError:
        if not ignore_conflicts:
            raise
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM {_pg_unnest(fields)} ON CONFLICT DO NOTHING"  # noqa: S608 - identifiers from model metadata
        with _driver_cursor() as (cursor, _mark):
            for start in range(0, len(rows), _PG_BATCH):
                chunk = rows[start : start + _PG_BATCH]
                cursor.execute(sql, [list(column) for column in zip(*_adapt_rows(adapters, chunk), strict=True)])
    if not key:
        return {}
    position = [field.name for field in fields].index(key)
    wanted = {row[position] for row in rows}
    with _driver_cursor() as (cursor, _mark):
        key_column = connection.ops.quote_name(model._meta.get_field(key).column)
        cursor.execute(f"SELECT {pk}, {key_column} FROM {table} WHERE {pk} > %s", [floor])  # noqa: S608 - identifiers from model metadata
        return {value: new_pk for new_pk, value in cursor.fetchall() if value in wanted}


def update_rows(model, names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """``UPDATE`` each row by primary key: ``rows`` are tuples of ``names`` values then the pk."""
    fields, _columns_sql = _columns(model, names)
    adapters = [_adapter(field) for field in fields]
    params = _adapt_rows([*adapters, None], list(rows))
    if not params:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    if connection.vendor == "postgresql":
        quoted = [connection.ops.quote_name(field.column) for field in fields]
        sets = ", ".join(f"{column} = v.{column}" for column in quoted)
        sql = (
            f"UPDATE {table} SET {sets} FROM {_pg_unnest([*fields, model._meta.pk])} "  # noqa: S608 - identifiers from model metadata
            f"AS v({', '.join([*quoted, pk])}) WHERE {table}.{pk} = v.{pk}"
        )
        with _driver_cursor() as (cursor, _mark):
            for start in range(0, len(params), _PG_BATCH):
                chunk = params[start : start + _PG_BATCH]
                cursor.execute(sql, [[row[index] for row in chunk] for index in range(len(fields) + 1)])
        return
    with _driver_cursor() as (cursor, mark):
        assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = {mark}" for field in fields)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = {mark}", params)  # noqa: S608 - identifiers from model metadata


def analyze_tables(*models_changed) -> None:
    """Refresh the query planner's statistics for tables that just changed in bulk. Without
    them PostgreSQL takes a freshly filled table for nearly empty and the reports' joins turn
    quadratic (autovacuum may be off, and is a minute away at best)."""
    with connection.cursor() as cursor:
        for model in models_changed:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
