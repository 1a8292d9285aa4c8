"""Compliance exports: CSV, Excel and PDF, one row per assignment with the columns of DESIGN §4.

Every export states when it was made, the as-of date and the filters:

- **CSV** is data for other programs, so it holds exactly a header row and one row per
  assignment: no comment or metadata lines, which break parsers and Excel's column detection.
  The as-of date and the filters go in the file name (what Excel shows in its title bar), and
  in the ``X-Report-As-Of``/``X-Report-Filters`` response headers. It starts with a UTF-8 byte
  order mark so Excel reads names like "Søren Ødegård" correctly. Dates are ISO 8601,
  ``completed_at`` is ISO 8601 in UTC with its ``Z`` suffix, ``status`` is the stable code (``overdue``...).
- **Excel** has a Summary sheet (time of export, as-of date, filters, headline figures and
  every breakdown) and a Detail sheet with real dates, date-times (local time, the zone named
  in the summary and in each date-time cell's format) and numbers.
- **PDF** has the summary, the breakdown tables and the charts, then the detail table, which
  repeats its header row on every page.

Formula injection: a text cell starting with ``= + - @``, a tab or a carriage return (or their
full-width forms) is prefixed with ``'`` in CSV and stored as a string, never a formula, in
Excel. Exports never hold the whole table in memory: rows stream from a database cursor."""

from .csv import CSV_BOM, csv_stream
from .formats import CHUNK_SIZE, CONTENT_TYPES, FORMATS, content, write
from .pdf import CELL_PADDING, PDF_DETAIL_LIMIT, PDF_WIDTHS, pdf_bytes, pdf_write
from .request import ExportRequest
from .xlsx import DETAIL_WIDTHS, xlsx_cell, xlsx_file, xlsx_write

__all__ = [
    "CELL_PADDING",
    "CHUNK_SIZE",
    "CONTENT_TYPES",
    "CSV_BOM",
    "DETAIL_WIDTHS",
    "ExportRequest",
    "FORMATS",
    "PDF_DETAIL_LIMIT",
    "PDF_WIDTHS",
    "content",
    "csv_stream",
    "pdf_bytes",
    "pdf_write",
    "write",
    "xlsx_cell",
    "xlsx_file",
    "xlsx_write",
]
