"""PostgreSQL prepared statements for the few views every employee hits at the deadline."""

from functools import wraps

from django.db import connection


def prepared_statements(view):
    """Run the view's queries with server-side parameter binding, so psycopg prepares each one
    the fifth time a connection runs it and PostgreSQL stops planning it again: the database's
    CPU per signature halves (measured with ``tests/benchmarks/bench_burst.py``).

    Not switched on for the whole site (``OPTIONS["server_side_binding"]``): PostgreSQL refuses
    some of Wagtail's admin queries bound that way (an ORDER BY repeating a parameter of a
    DISTINCT select, Django ticket #34255). The decorated views' queries are plain and run in
    the PostgreSQL test suite. No connection yet, or another database: nothing changes."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        raw = connection.connection if connection.vendor == "postgresql" else None
        if raw is None:
            return view(request, *args, **kwargs)
        from django.db.backends.postgresql.base import ServerBindingCursor

        previous, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
        try:
            return view(request, *args, **kwargs)
        finally:
            raw.cursor_factory = previous

    return wrapper
