"""The compliance export as CSV: written by PostgreSQL's COPY where it can, by Python's csv module elsewhere."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db import connection

from .. import reports
from .request import ExportRequest

CSV_BOM = "\ufeff"


def csv_stream(request: ExportRequest) -> Iterator[bytes]:
    """The CSV, chunk by chunk. On PostgreSQL the database writes it (``COPY``), at its own speed;
    every value is already formula-safe text (see ``reports.detail_csv_sql``). Elsewhere Python's
    csv module writes it, with CRLF line ends so a carriage return inside a value gets quoted."""
    if connection.vendor == "postgresql":
        yield (CSV_BOM + ",".join(reports.COLUMNS) + "\n").encode()
        sql, params = reports.detail_csv_sql(request.filters, request.selection)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy,
        ):
            yield from (bytes(block) for block in copy)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow(reports.COLUMNS)
    rows = reports.detail_csv_rows(request.filters, request.selection)
    while True:
        chunk = [row for _index, row in zip(range(5000), rows, strict=False)]
        writer.writerows(chunk)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        if not chunk:
            return
