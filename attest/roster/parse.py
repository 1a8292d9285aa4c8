"""Reading a roster file (CSV or Excel) into rows of text, within size limits that a hostile workbook cannot get around."""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, DIMENSION_TAG, ROW_TAG, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

# A workbook of 100,000 people unpacks to about 60 MB; anything far beyond is a zip bomb.
# The default of ``ATTEST_ROSTER_XLSX_MAX_UNPACKED_BYTES``; see ``RosterLimits`` for the others.
XLSX_MAX_UNPACKED_BYTES = 300 * 1024 * 1024


ERROR_FILE_TYPE = _("Only .csv and .xlsx files can be imported.")


ERROR_NOT_A_ROSTER = _(
    "This file is not a roster: export the employee list from the HR system as CSV (UTF-8) or Excel (.xlsx)."
)


ERROR_TOO_MANY_ROWS = _(
    "The sheet goes down to row %(row)s, but a roster may have at most %(limit)s people below its header. "
    "Delete the rows below the roster and export it again."
)


ERROR_TOO_MANY_COLUMNS = _(
    "The sheet reaches column %(column)s, but a roster may use at most %(limit)s columns. "
    "Delete the cells to the right of the roster and export it again."
)


ERROR_TOO_MANY_CELLS = _("The sheet has more than %(limit)s cells, more than any roster needs.")


ERROR_XLSX_PART_TOO_LARGE = _(
    "The workbook is too large to import: its part “%(part)s” unpacks to %(size)s MB, and at most %(limit)s MB "
    "are allowed. Export only the roster columns, as values."
)


class _NotARoster(Exception):
    pass


def _name_and_bytes(source) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.name, path.read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    data = b"".join(source.chunks()) if hasattr(source, "chunks") else source.read()
    return source.name or "", data


def _csv_lines(data: bytes) -> tuple[Iterator[list[str]], int]:
    if b"\x00" in data:
        raise _NotARoster
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _NotARoster from error

    def lines():
        try:
            yield from csv.reader(io.StringIO(text, newline=""))
        except csv.Error as error:
            raise _NotARoster from error

    return lines(), text.count("\n") + 1


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_SHEET_HEAD_ELEMENTS = 10_000  # a real sheet declares its dimension within its first few elements


class _TooLarge(Exception):
    """The file crosses one of the roster's size limits; ``args[0]`` says which, for people."""


@dataclass(frozen=True)
class RosterLimits:
    """How big a roster file may be (settings ``ATTEST_ROSTER_*``, documented in the README).
    Checked before a workbook is parsed (its parts' unpacked sizes, the sheet's declared
    dimension) and again while it streams, so a small hostile file costs a fraction of a second."""

    rows: int = 200_000
    columns: int = 64
    cells: int = 5_000_000
    xlsx_part_bytes: int = 50 * 1024 * 1024
    xlsx_unpacked_bytes: int = XLSX_MAX_UNPACKED_BYTES

    @classmethod
    def from_settings(cls) -> "RosterLimits":
        return cls(
            rows=getattr(settings, "ATTEST_ROSTER_MAX_ROWS", cls.rows),
            columns=getattr(settings, "ATTEST_ROSTER_MAX_COLUMNS", cls.columns),
            cells=getattr(settings, "ATTEST_ROSTER_MAX_CELLS", cls.cells),
            xlsx_part_bytes=getattr(settings, "ATTEST_ROSTER_XLSX_MAX_PART_BYTES", cls.xlsx_part_bytes),
            xlsx_unpacked_bytes=getattr(settings, "ATTEST_ROSTER_XLSX_MAX_UNPACKED_BYTES", cls.xlsx_unpacked_bytes),
        )

    def check_row(self, number: int) -> None:
        """``number`` counts the header: a roster has at most ``rows`` people below it."""
        if number > self.rows + 1:
            raise _TooLarge(ERROR_TOO_MANY_ROWS % {"row": f"{number:,}", "limit": f"{self.rows:,}"})

    def check_column(self, column: int) -> None:
        if column > self.columns:
            raise _TooLarge(
                ERROR_TOO_MANY_COLUMNS % {"column": get_column_letter(min(column, 18278)), "limit": self.columns}
            )

    def check_cells(self, cells: int) -> None:
        if cells > self.cells:
            raise _TooLarge(ERROR_TOO_MANY_CELLS % {"limit": f"{self.cells:,}"})


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f}"


def _check_parts(archive: zipfile.ZipFile, limits: RosterLimits) -> None:
    """Refuse a workbook from its directory alone: the sizes stored there bound what Python's
    zipfile will unpack. Worksheets are streamed; every other part (shared strings, styles)
    is read whole by openpyxl, so each has its own, smaller limit."""
    members = archive.infolist()
    if sum(member.file_size for member in members) > limits.xlsx_unpacked_bytes:
        raise _NotARoster
    for member in members:
        if member.file_size > limits.xlsx_part_bytes and not member.filename.startswith("xl/worksheets/"):
            raise _TooLarge(
                ERROR_XLSX_PART_TOO_LARGE
                % {
                    "part": member.filename,
                    "size": _megabytes(member.file_size),
                    "limit": _megabytes(limits.xlsx_part_bytes),
                }
            )


class _BoundedSheetParser(WorkSheetParser):
    """openpyxl's worksheet parser, stopped at the first row, cell or column beyond the limits.

    Limits are checked on each element's start tag, i.e. within a few kilobytes of the XML
    that crosses them, before openpyxl expands anything (it pads every row to its last cell:
    one cell in column XFD makes 16,384). Elements are dropped once read, so the memory held
    is one row whatever the file contains."""

    def __init__(self, source, shared_strings, *, limits: RosterLimits, **options):
        super().__init__(source, shared_strings, **options)
        self.limits = limits

    def parse(self):
        limits, cells, elements, in_row, in_row_cells = self.limits, 0, 0, False, 0
        budget = limits.cells * 8 + limits.rows * 2 + 10_000
        stack = []
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                stack.append(element)
                elements += 1
                if elements > budget:
                    raise _TooLarge(ERROR_TOO_MANY_CELLS % {"limit": f"{limits.cells:,}"})
                if element.tag == ROW_TAG:
                    number = element.get("r")
                    limits.check_row(int(float(number)) if number else self.row_counter + 1)
                    in_row, in_row_cells = True, 0
                elif element.tag == CELL_TAG and in_row:
                    cells += 1
                    in_row_cells += 1
                    limits.check_cells(cells)
                    coordinate = element.get("r")
                    limits.check_column(coordinate_to_tuple(coordinate)[1] if coordinate else in_row_cells)
                    limits.check_column(in_row_cells)
                continue
            stack.pop()
            if element.tag == ROW_TAG:
                in_row = False
                yield self.parse_row(element)
            elif in_row:
                continue  # parse_row reads the row's cells
            element.clear()
            if stack:
                stack[-1].remove(element)


class _RosterSheet(ReadOnlyWorksheet):
    def _get_size(self):
        """The declared ``<dimension ref>`` from the sheet's head only: openpyxl would read a
        whole sheet that has none, before anyone could check it."""
        with self._get_source() as source:
            for seen, (event, element) in enumerate(iterparse(source, events=("start", "end"))):
                if (event == "start" and element.tag == DATA_TAG) or seen > _SHEET_HEAD_ELEMENTS:
                    return
                if event == "end" and element.tag == DIMENSION_TAG:
                    self._min_column, self._min_row, self._max_column, self._max_row = SheetDimension.from_tree(
                        element
                    ).boundaries
                    return


class _RosterWorkbookReader(ExcelReader):
    """openpyxl's read-only reader, opening only the first worksheet (the roster), as a
    ``_RosterSheet``."""

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                self.wb._sheets.append(_RosterSheet(self.wb, sheet.name, rel.target, self.shared_strings))
                return


def _xlsx_lines(data: bytes) -> tuple[Iterator[list[str]], int]:
    limits = RosterLimits.from_settings()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, limits)
    except (_TooLarge, _NotARoster):
        raise
    except Exception as error:  # zipfile raises several types on damaged archives
        raise _NotARoster from error
    try:
        reader = _RosterWorkbookReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        workbook = reader.wb
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many types on files that are not workbooks
        raise _NotARoster from error
    # The sheet's declared <dimension ref>, when it has one, refuses an oversized sheet unread.
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0
    try:
        limits.check_row(declared_rows)
        limits.check_column(declared_columns)
        limits.check_cells(declared_rows * declared_columns)
    except _TooLarge:
        workbook.close()
        raise

    def lines():
        expected = 1
        try:
            with sheet._get_source() as source:
                parser = _BoundedSheetParser(
                    source,
                    sheet._shared_strings,
                    limits=limits,
                    data_only=True,
                    epoch=workbook.epoch,
                    date_formats=workbook._date_formats,
                    timedelta_formats=workbook._timedelta_formats,
                )
                for number, cells in parser.parse():
                    for _gap in range(expected, number):
                        yield []
                    expected = max(expected, number + 1)
                    values = [""] * max((cell["column"] for cell in cells), default=0)
                    for cell in cells:
                        values[cell["column"] - 1] = _cell(cell["value"])
                    yield values
        except _TooLarge:
            raise
        except Exception as error:  # a corrupt sheet inside a valid zip
            raise _NotARoster from error
        finally:
            workbook.close()

    return lines(), declared_rows


def _lines(name: str, data: bytes) -> tuple[Iterator[list[str]], int]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_lines(data)
    if suffix == ".xlsx":
        return _xlsx_lines(data)
    raise ValueError(suffix)
