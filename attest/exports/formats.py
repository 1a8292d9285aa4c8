"""One entry point for every export format: the admin's download and the compliance_report command both use it."""

from __future__ import annotations

from collections.abc import Iterator

from .csv import csv_stream
from .pdf import PDF_DETAIL_LIMIT, pdf_bytes
from .request import ExportRequest
from .xlsx import xlsx_file

FORMATS = ("csv", "xlsx", "pdf")


CHUNK_SIZE = 64 * 1024


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def content(fmt: str, request: ExportRequest, *, pdf_detail_limit: int | None = PDF_DETAIL_LIMIT) -> Iterator[bytes]:
    """The export in ``fmt`` as chunks of bytes, produced while they are sent: the CSV row by
    row, the workbook from a temporary file, the PDF at once. The admin's download and the
    ``compliance_report`` command both write what this yields."""
    if fmt == "csv":
        yield from csv_stream(request)
    elif fmt == "xlsx":
        with xlsx_file(request) as workbook:
            yield from iter(lambda: workbook.read(CHUNK_SIZE), b"")
    elif fmt == "pdf":
        yield pdf_bytes(request, detail_limit=pdf_detail_limit)
    else:
        raise ValueError(f"Unknown export format {fmt!r}; one of {FORMATS}")


def write(fmt: str, request: ExportRequest, output, *, pdf_detail_limit: int | None = PDF_DETAIL_LIMIT) -> int:
    """Write the export in ``fmt`` to the binary file ``output``; returns the bytes written."""
    size = 0
    for chunk in content(fmt, request, pdf_detail_limit=pdf_detail_limit):
        output.write(chunk)
        size += len(chunk)
    return size
