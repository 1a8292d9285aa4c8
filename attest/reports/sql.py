"""SQL building blocks the reports share: day counts, attested quiz scores, UTC timestamps, formula-safe text."""

from __future__ import annotations

from django.db.models import Func, IntegerField, TextField

# A spreadsheet treats a cell starting with one of these as a formula (or as the start of one,
# after a tab or carriage return); the full-width forms are folded to ASCII by some versions.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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
