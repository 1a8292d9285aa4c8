"""The compliance export as an Excel workbook: a summary sheet and the detail rows spliced in as XML, so memory stays bounded."""

from __future__ import annotations

import datetime
import tempfile
import zipfile
from collections.abc import Iterator
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from .. import reports
from .request import ExportRequest, _generated_text

DETAIL_WIDTHS = {  # Excel column widths, in characters
    "employee_id": 12,
    "email": 30,
    "full_name": 22,
    "department": 16,
    "location": 12,
    "manager_email": 28,
    "policy": 18,
    "version": 8,
    "requirement": 22,
    "assigned_on": 11,
    "due_on": 11,
    "status": 13,
    "completed_at": 17,
    "days_overdue": 9,
    "quiz_score": 8,
    "attestation_id": 10,
    "needs_hr": 9,
    "identity_change": 26,
}


def _xlsx_text(sheet, value: str):
    """Text that Excel stores as text: never a formula or an error code, no illegal characters."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value[:1] in reports.FORMULA_PREFIXES or value in ERROR_CODES or value.startswith("="):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value, cell.data_type = value, "s"
        return cell
    return value


def xlsx_cell(sheet, value, *, bold=False, number_format=None):
    cell = _xlsx_text(sheet, value) if isinstance(value, str) else value
    if not bold and not number_format:
        return cell
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    if bold:
        cell.font = Font(bold=True)
    if number_format:
        cell.number_format = number_format
    return cell


def _breakdown_headers() -> list[tuple[str, str, str | None]]:
    """(frame column, heading, number format) for breakdown tables in every format."""
    return [
        ("total", _("Assignments"), "#,##0"),
        ("required", _("Required"), "#,##0"),
        (reports.COMPLETED, _("Completed on time"), "#,##0"),
        (reports.COMPLETED_LATE, _("Completed late"), "#,##0"),
        ("not_due", _("Not yet due"), "#,##0"),
        (reports.OVERDUE, _("Overdue"), "#,##0"),
        (reports.DECLINED, _("Declined"), "#,##0"),
        (reports.EXEMPT, _("Exempt"), "#,##0"),
        ("completion_rate", _("Completion rate"), "0.0%"),
        ("overdue_rate", _("Overdue rate"), "0.0%"),
    ]


def _headline_rows(headline: dict) -> list[tuple[str, float | int, str]]:
    return [
        (_("Assignments"), headline["total"], "#,##0"),
        (_("Exempt"), headline["exempt"], "#,##0"),
        (_("Required"), headline["required"], "#,##0"),
        (_("Completed (on time or late)"), headline["done"], "#,##0"),
        (_("Completed late"), headline["completed_late"], "#,##0"),
        (_("Not yet due"), headline["not_due"], "#,##0"),
        (_("Overdue"), headline["overdue"], "#,##0"),
        (_("Declined"), headline["declined"], "#,##0"),
        (_("Completion rate"), headline["completion_rate"], "0.0%"),
        (_("On-time completion rate"), headline["on_time_rate"], "0.0%"),
        (_("Overdue rate"), headline["overdue_rate"], "0.0%"),
    ]


def _xlsx_detail_rows(rows, first_row: int, *, date_style: int, datetime_style: int) -> Iterator[str]:
    """The detail rows as SpreadsheetML, the way openpyxl writes them (text as inline strings,
    so never a formula; dates and local date-times as serial numbers in openpyxl's own date
    formats), but about twenty times faster than its pure-Python cell writer (openpyxl has no
    lxml here): 300,000 rows in seconds rather than a minute and a half."""
    letters = [get_column_letter(index) for index in range(1, len(reports.COLUMNS) + 1)]
    zone = timezone.get_current_timezone()
    for number, row in enumerate(rows, start=first_row):
        cells = []
        for letter, value in zip(letters, row, strict=True):
            if value is None:
                continue
            if isinstance(value, str):
                text = escape(ILLEGAL_CHARACTERS_RE.sub("", value))
                cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif isinstance(value, datetime.datetime):
                serial = to_excel(value.astimezone(zone).replace(tzinfo=None))
                cells.append(f'<c r="{letter}{number}" s="{datetime_style}" t="n"><v>{serial!r}</v></c>')
            elif isinstance(value, datetime.date):
                cells.append(f'<c r="{letter}{number}" s="{date_style}" t="n"><v>{to_excel(value)!r}</v></c>')
            else:
                cells.append(f'<c r="{letter}{number}" t="n"><v>{value!r}</v></c>')
        yield f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx_splice(skeleton, output, sheet_path: str, rows: Iterator[str], placeholder: str) -> None:
    """Copy the workbook openpyxl wrote (``skeleton``) to ``output``, streaming ``rows`` into
    the sheet at ``sheet_path`` after its header row. The sheet's filter range ``placeholder``
    becomes the real one, known once the last row is in."""
    count = 0
    with zipfile.ZipFile(skeleton) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != sheet_path:
                target.writestr(info, source.read(info))
                continue
            head, tail = source.read(info).decode().split("</sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(head.encode())
                chunk = []
                for row in rows:
                    chunk.append(row)
                    count += 1
                    if len(chunk) == 2000:
                        sheet.write("".join(chunk).encode())
                        chunk = []
                sheet.write("".join(chunk).encode())
                last = f"A1:{get_column_letter(len(reports.COLUMNS))}{count + 1}"
                sheet.write(("</sheetData>" + tail.replace(placeholder, last)).encode())


def xlsx_write(request: ExportRequest, output, *, dashboard: reports.Dashboard | None = None) -> None:
    """Write the workbook to ``output`` (a path or a binary file). openpyxl's write-only mode
    writes the summary and the Detail sheet's header; the detail rows stream into the file
    afterwards, so memory stays flat however many rows there are."""
    dashboard = dashboard or reports.dashboard(request.filters, managers=None, overdue_limit=0)
    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet(_("Summary"))
    summary.column_dimensions["A"].width = 34
    for letter in "BCDEFGHIJ":
        summary.column_dimensions[letter].width = 16
    summary.append([xlsx_cell(summary, _("Compliance report"), bold=True)])
    summary.append([_("Generated"), _generated_text(request)])
    summary.append([_("Times are in"), str(timezone.get_current_timezone())])
    for label, value in request.described():
        summary.append([label, _xlsx_text(summary, value)])
    summary.append([])
    summary.append([xlsx_cell(summary, _("Headline figures"), bold=True)])
    for label, value, number_format in _headline_rows(dashboard.headline):
        summary.append([label, xlsx_cell(summary, value, number_format=number_format)])
    columns = _breakdown_headers()
    for dimension in reports.DIMENSIONS:
        frame = dashboard.breakdowns[dimension]
        summary.append([])
        title = _("By %(dimension)s") % {"dimension": str(reports.DIMENSION_LABELS[dimension]).lower()}
        summary.append([xlsx_cell(summary, title, bold=True)])
        summary.append(
            [xlsx_cell(summary, str(reports.DIMENSION_LABELS[dimension]), bold=True)]
            + [xlsx_cell(summary, heading, bold=True) for _column, heading, _format in columns]
        )
        for record in frame.to_dict("records"):
            summary.append(
                [_xlsx_text(summary, str(record["label"]))]
                + [xlsx_cell(summary, record[column], number_format=fmt) for column, _heading, fmt in columns]
            )

    detail = workbook.create_sheet(_("Detail"))
    for index, name in enumerate(reports.COLUMNS, start=1):
        detail.column_dimensions[get_column_letter(index)].width = DETAIL_WIDTHS[name]
    detail.freeze_panes = "A2"
    detail.append([xlsx_cell(detail, name, bold=True) for name in reports.COLUMNS])
    # The rows go in after openpyxl has written the rest: see _xlsx_detail_rows.
    placeholder = "A1:ZZ1"
    detail.auto_filter.ref = placeholder
    local_time = WriteOnlyCell(detail, value=datetime.datetime(2000, 1, 1))
    local_time.number_format = f'yyyy-mm-dd hh:mm:ss "{timezone.get_current_timezone()}"'  # every cell names its zone
    styles = {
        "date_style": WriteOnlyCell(detail, value=datetime.date(2000, 1, 1)).style_id,
        "datetime_style": local_time.style_id,
    }
    rows = reports.detail_queryset(request.filters, request.selection).iterator(chunk_size=5000)
    with tempfile.TemporaryFile() as skeleton:
        workbook.save(skeleton)
        _xlsx_splice(skeleton, output, detail.path.lstrip("/"), _xlsx_detail_rows(rows, 2, **styles), placeholder)


def xlsx_file(request: ExportRequest) -> tempfile.TemporaryFile:
    """The workbook in an anonymous temporary file, rewound, ready to stream."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    xlsx_write(request, output)
    output.seek(0)
    return output
