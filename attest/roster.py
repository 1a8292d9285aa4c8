"""Bring people in from the HR system: check a whole roster file, then apply it in one go.

The roster (DESIGN §4) is the source of truth for who works here. ``roster_import`` either
reports every problem in the file and changes nothing, or applies the whole file in one
transaction with bulk writes: 100,000 rows take seconds, re-importing the same file writes
nothing, and a half-applied roster never exists. Leavers lose their login but keep every
record (assignments, attestations, reminders), because those are evidence.
"""

import csv
import datetime
import hashlib
import io
import logging
import secrets
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, DIMENSION_TAG, ROW_TAG, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse
from wagtail.models import ModelLogEntry

from training.models import Track

from .bulk import analyze_tables, insert_rows, update_rows
from .dates import iso_date
from .hierarchy import line_problems, reporting_paths_refresh
from .identity import (
    LOG_APPLIED,
    accounts_used,
    identity_change_announce,
    identity_change_log_data,
    identity_change_request,
    sessions_end,
)
from .models import (
    Assignment,
    Employee,
    EmployeeStatus,
    IdentityChange,
    IdentityChangeOutcome,
    IdentityChangeSource,
    Language,
    RosterUpload,
)
from .official_accounts.models import LeaverSource
from .official_accounts.services import leaver_tasks_open
from .services import assignments_sync
from .validators import ERROR_UNPRINTABLE, has_unprintable

COLUMNS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "department",
    "location",
    "manager_employee_id",
    "hire_date",
    "language",
    "track",
    "status",
)
OPTIONAL_COLUMNS = frozenset({"manager_employee_id"})
FILE = "file"
"""The column named in problems that concern the file as a whole rather than one cell."""

MAX_LENGTHS = {
    "employee_id": 64,
    # The email is also the login's username, which Django limits to 150 characters.
    "email": 150,
    "first_name": 150,
    "last_name": 150,
    "department": 150,
    "location": 150,
    "manager_employee_id": 64,
}
TRACKS = tuple(Track.values)
STATUSES = tuple(EmployeeStatus.values)
LANGUAGES = tuple(Language.values)
# A workbook of 100,000 people unpacks to about 60 MB; anything far beyond is a zip bomb.
# The default of ``ATTEST_ROSTER_XLSX_MAX_UNPACKED_BYTES``; see ``RosterLimits`` for the others.
XLSX_MAX_UNPACKED_BYTES = 300 * 1024 * 1024
# An import that changes this many people refreshes the planner's statistics afterwards.
ANALYZE_AFTER = 1000

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
ERROR_NO_ROWS = _("The roster has a header but no employees.")
ERROR_MISSING_COLUMN = _("This column is missing from the header.")
ERROR_UNKNOWN_COLUMN = _("This column is not part of the roster format.")
ERROR_DUPLICATE_COLUMN = _("This column appears more than once in the header.")
ERROR_EXTRA_CELL = _("This cell is outside the roster's columns.")
ERROR_REQUIRED = _("This field is required.")
ERROR_TOO_LONG = _("This value is longer than %(max)s characters.")
ERROR_EMAIL = _("“%(value)s” is not a valid email address.")
ERROR_TRACK = _("Unknown track “%(value)s”: use one of %(choices)s.")
ERROR_STATUS = _("Unknown status “%(value)s”: use one of %(choices)s.")
ERROR_LANGUAGE = _("Unknown language “%(value)s”: use one of %(choices)s.")
ERROR_DUPLICATE_ID = _("Employee id %(value)s is also on row %(other)s.")
ERROR_DUPLICATE_EMAIL = _("Email %(value)s is also on row %(other)s.")
ERROR_MANAGER_UNKNOWN = _("Manager %(value)s is neither in this file nor an existing employee.")
ERROR_EMAIL_TAKEN = _("Email %(value)s already belongs to employee %(other)s.")
ERROR_EMAIL_TAKEN_USER = _("Email %(value)s already belongs to another user account.")
ERROR_CONCURRENT = _("The roster changed while this file was being imported: import it again.")
ERROR_TOO_MANY = _(
    "More than %(limit)s problems: checking stopped at row %(row)s, so there may be more. "
    "Fix these and upload the file again."
)
MAX_ERRORS = 1000

logger = logging.getLogger(__name__)

LOG_ACTION = "attest.roster_import"
LOG_PROVISIONING = "attest.provisioning"
INVITATION_BATCH = 500
_DB_CHUNK = 900

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    """One problem, located as a person would find it in a spreadsheet (the header is row 1)."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


class _TooManyProblems(Exception):
    pass


class _Problems(list):
    """The problems found so far, up to ``MAX_ERRORS``: nobody reads further, and a file of junk
    would otherwise hold millions of them in memory (20 MB of bad rows: 6.7 million, 2.8 GB)."""

    def append(self, error: RowError) -> None:
        if len(self) >= MAX_ERRORS:
            raise _TooManyProblems(error.row)
        super().append(error)

    def __iadd__(self, errors):
        for error in errors:
            self.append(error)
        return self


@dataclass(frozen=True)
class HeldIdentityChange:
    """A new email for someone whose account was used: it waits for a second HR person
    (``attest.identity``); the rest of the row is applied as usual."""

    row: int
    employee_id: str
    name: str
    old_email: str
    new_email: str


@dataclass
class RosterResult:
    """What an import did, or (``dry_run``) would do. ``deactivated`` people are also counted in
    ``updated`` when they are in the file; people missing from the file are counted only there."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    invited: int = 0
    errors: list[RowError] = field(default_factory=_Problems)
    dry_run: bool = False
    invite_ids: list[int] = field(default_factory=list, repr=False)  # the people invitations were queued for
    held: list[HeldIdentityChange] = field(default_factory=list)  # new emails waiting for a second HR person

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


class _NotARoster(Exception):
    pass


class _Row:
    """One roster line, normalised (email and choices lower-cased, date parsed). ``valid`` is
    false when the line failed its own checks; it still counts as someone's possible manager."""

    __slots__ = ("valid", "number", *COLUMNS)

    def user_values(self) -> tuple:
        return (self.email, self.email, self.first_name, self.last_name, self.status != EmployeeStatus.TERMINATED)

    def employee_values(self) -> tuple:
        return tuple(getattr(self, name) for name in _EMPLOYEE_FIELDS)


_EMPLOYEE_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "location",
    "hire_date",
    "language",
    "track",
    "status",
)
_USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active")


# --- Reading the file -------------------------------------------------------------------------


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


# --- Validation -------------------------------------------------------------------------------


def _header(cells: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [cell.strip().lower() for cell in cells]
    if not set(names) & set(COLUMNS):
        raise _NotARoster
    errors, index = [], {}
    for position, name in enumerate(names):
        if not name:
            continue
        if name not in COLUMNS:
            errors.append(RowError(1, cells[position].strip(), str(ERROR_UNKNOWN_COLUMN)))
        elif name in index:
            errors.append(RowError(1, name, str(ERROR_DUPLICATE_COLUMN)))
        else:
            index[name] = position
    errors += [RowError(1, name, str(ERROR_MISSING_COLUMN)) for name in COLUMNS if name not in index]
    return index, errors


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


def _row(number: int, cells: list[str], index: dict[str, int], width: int, errors: list[RowError]) -> _Row:
    """Check one line on its own and append its problems to ``errors``. Invalid lines are kept
    (``valid`` is false) so that other lines may still refer to them as their manager."""
    found = len(errors)
    for position in range(width, len(cells)):
        if cells[position].strip():
            errors.append(RowError(number, get_column_letter(position + 1), str(ERROR_EXTRA_CELL)))
    row = _Row()
    row.number = number
    for name in COLUMNS:
        position = index[name]
        value = cells[position].strip() if position < len(cells) else ""
        if not value:
            if name not in OPTIONAL_COLUMNS:
                errors.append(RowError(number, name, str(ERROR_REQUIRED)))
            setattr(row, name, value)
            continue
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            errors.append(RowError(number, name, ERROR_TOO_LONG % {"max": limit}))
        if has_unprintable(value):
            # Names end up on signed records and certificates, where they must read as stored.
            errors.append(RowError(number, name, str(ERROR_UNPRINTABLE)))
        elif name == "email":
            value = value.lower()
            try:
                validate_email(value)
            except ValidationError:
                errors.append(RowError(number, name, ERROR_EMAIL % {"value": value}))
        elif name == "hire_date":
            try:
                value = iso_date(value)
            except ValueError as error:
                errors.append(RowError(number, name, str(error)))
        elif name == "track":
            value = value.lower()
            if value not in TRACKS:
                errors.append(RowError(number, name, ERROR_TRACK % {"value": value, "choices": _choices(TRACKS)}))
        elif name == "status":
            value = value.lower()
            if value not in STATUSES:
                errors.append(RowError(number, name, ERROR_STATUS % {"value": value, "choices": _choices(STATUSES)}))
        elif name == "language":
            value = value.lower()
            if value not in LANGUAGES:
                errors.append(RowError(number, name, ERROR_LANGUAGE % {"value": value, "choices": _choices(LANGUAGES)}))
        setattr(row, name, value)
    row.valid = len(errors) == found
    return row


@dataclass
class _Existing:
    """The database as the import sees it: employees by id and who holds which address."""

    employees: dict[str, tuple]  # employee_id -> (pk, user_id, manager_pk, *_EMPLOYEE_FIELDS)
    ids_by_pk: dict[int, str]
    users: dict[int, tuple]  # pk -> _USER_FIELDS
    employee_by_email: dict[str, str]
    user_ids_by_address: dict[str, set[int]]


def _load_existing() -> _Existing:
    employees, ids_by_pk, employee_by_email = {}, {}, {}
    for values in Employee.objects.values_list("pk", "user_id", "manager_id", "employee_id", *_EMPLOYEE_FIELDS):
        pk, user_id, manager_id, employee_id, *rest = values
        employees[employee_id] = (pk, user_id, manager_id, *rest)
        ids_by_pk[pk] = employee_id
        employee_by_email[rest[0].lower()] = employee_id
    users, by_address = {}, {}
    for pk, *values in get_user_model().objects.values_list("pk", *_USER_FIELDS):
        users[pk] = tuple(values)
        for address in (values[0], values[1]):
            if address:
                by_address.setdefault(address.lower(), set()).add(pk)
    for user_id, address in EmailAddress.objects.values_list("user_id", "email"):
        by_address.setdefault(address.lower(), set()).add(user_id)
    return _Existing(employees, ids_by_pk, users, employee_by_email, by_address)


def _check_across_rows(rows: list[_Row], existing: _Existing, errors: list[RowError]) -> None:
    """Duplicates, addresses held by someone else, unknown managers and manager loops."""
    first_by_id: dict[str, int] = {}
    first_by_email: dict[str, int] = {}
    for row in rows:
        if row.employee_id:
            other = first_by_id.setdefault(row.employee_id, row.number)
            if other != row.number:
                errors.append(
                    RowError(row.number, "employee_id", ERROR_DUPLICATE_ID % {"value": row.employee_id, "other": other})
                )
        if not row.email:
            continue
        other = first_by_email.setdefault(row.email, row.number)
        if other != row.number:
            errors.append(RowError(row.number, "email", ERROR_DUPLICATE_EMAIL % {"value": row.email, "other": other}))
            continue
        holder = existing.employee_by_email.get(row.email)
        if holder is not None and holder != row.employee_id:
            errors.append(RowError(row.number, "email", ERROR_EMAIL_TAKEN % {"value": row.email, "other": holder}))
            continue
        own_user = existing.employees[row.employee_id][1] if row.employee_id in existing.employees else None
        if existing.user_ids_by_address.get(row.email, set()) - {own_user}:
            errors.append(RowError(row.number, "email", ERROR_EMAIL_TAKEN_USER % {"value": row.email}))

    managers: dict[str, str] = {
        employee_id: existing.ids_by_pk[values[2]]
        for employee_id, values in existing.employees.items()
        if values[2] is not None
    }
    in_file = {}
    for row in rows:
        if row.employee_id:
            in_file.setdefault(row.employee_id, row)
        if (
            row.manager_employee_id
            and row.manager_employee_id not in first_by_id
            and row.manager_employee_id not in existing.employees
        ):
            errors.append(
                RowError(row.number, "manager_employee_id", ERROR_MANAGER_UNKNOWN % {"value": row.manager_employee_id})
            )
    for employee_id, row in in_file.items():
        if row.manager_employee_id:
            managers[employee_id] = row.manager_employee_id
        else:
            managers.pop(employee_id, None)
    for employee_id, messages in line_problems(managers, in_file).items():
        errors.extend(RowError(in_file[employee_id].number, "manager_employee_id", message) for message in messages)


# --- Import -----------------------------------------------------------------------------------


def roster_import(
    *,
    source,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    send_invitations: bool = True,
    progress: Progress | None = None,
    by=None,
    file_name: str = "",
    leaver_source: str = LeaverSource.ROSTER,
) -> RosterResult:
    """Check ``source`` (a path or an uploaded file, CSV or XLSX) and, unless it has a problem or
    this is a dry run, apply it. ``by`` is the admin user who asked, for the audit log;
    ``file_name`` the name HR knows the file by (the source's own name by default); ``leaver_source``
    says who deactivates leavers (the roster, or provisioning), for their access-removal tasks.

    ``progress(done, total)`` is called as rows are read and as the writes advance."""
    report = progress or (lambda done, total: None)
    result = RosterResult(dry_run=dry_run)
    name, data = _name_and_bytes(source)
    if Path(name).suffix.lower() not in {".csv", ".xlsx"}:
        result.errors.append(RowError(1, FILE, str(ERROR_FILE_TYPE)))
        return result
    try:
        return _import(
            name=name,
            data=data,
            result=result,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            send_invitations=send_invitations,
            report=report,
            by=by,
            file_name=file_name or Path(name).name,
            leaver_source=leaver_source,
        )
    except _TooManyProblems as stopped:
        result.errors.sort(key=_sort_key)
        result.errors.insert(0, RowError(1, FILE, ERROR_TOO_MANY % {"row": stopped.args[0], "limit": MAX_ERRORS}))
        return result


def _import(
    *,
    name: str,
    data: bytes,
    result: RosterResult,
    dry_run,
    deactivate_missing,
    send_invitations,
    report,
    by,
    file_name,
    leaver_source,
) -> RosterResult:
    try:
        lines, estimate = _lines(name, data)
        total = max(estimate, 1) * 2
        report(0, total)
        rows = _read(lines, result.errors, lambda done: report(min(done, total // 2), total))
    except _NotARoster:
        result.errors = [RowError(1, FILE, str(ERROR_NOT_A_ROSTER))]
        return result
    except _TooLarge as refused:
        result.errors = [RowError(1, FILE, str(refused.args[0]))]
        return result
    if result.errors or dry_run:
        _check(rows, result, deactivate_missing, send_invitations)
        return result
    try:
        with transaction.atomic():
            lock_roster()
            plan = _check(rows, result, deactivate_missing, send_invitations)
            if plan is None:
                return result
            report(total // 2, total)
            affected = _apply(plan, by, file_name, lambda share: report(total // 2 + int(total // 2 * share), total))
            reporting_paths_refresh()
            assignments_sync(employee_ids=affected.employee_ids)
            leaver_tasks_open(employee_ids=affected.employee_ids, source=leaver_source)
    except IntegrityError:
        # Someone created a clashing account between our checks and our writes.
        logger.warning("Roster import rolled back on a constraint violation.", exc_info=True)
        return RosterResult(errors=[RowError(1, FILE, str(ERROR_CONCURRENT))])
    if result.created + result.updated + result.deactivated >= ANALYZE_AFTER:
        analyze_tables(get_user_model(), Employee, Assignment)
    result.invite_ids = [affected.new_pks[row.employee_id] for row in plan.invite]
    if send_invitations and result.invite_ids:
        _queue_invitations(result.invite_ids)
    report(total, total)
    return result


def _read(lines: Iterator[list[str]], errors: list[RowError], report: Callable[[int], None]) -> list[_Row]:
    header = next(lines, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(lines, None)
    if header is None:
        raise _NotARoster
    index, header_errors = _header(header)
    errors += header_errors
    if len(index) < len(COLUMNS):
        return []
    width = len(header)
    rows, seen, limits = [], 0, RosterLimits.from_settings()
    for number, cells in enumerate(lines, start=2):
        limits.check_row(number)
        if not any(cell.strip() for cell in cells):
            continue
        seen += 1
        rows.append(_row(number, cells, index, width, errors))
        if number % 1000 == 0:
            report(number)
    if not seen:
        errors.append(RowError(1, FILE, str(ERROR_NO_ROWS)))
    return rows


def people_apply(
    rows: list[dict],
    *,
    by=None,
    source: str = IdentityChangeSource.PROVISIONING,
    via: str = "",
    send_invitations: bool = True,
) -> RosterResult:
    """Check and apply people who come from another system than a file (SCIM provisioning): each
    row a dict of ``COLUMNS`` to text (dates as YYYY-MM-DD), numbered from 2 as a file's lines are.
    The same checks, plan, writes, assignments and invitations as a roster import, all or nothing;
    nobody missing from ``rows`` is touched. The audit log marks each entry with ``source`` and
    ``via`` (the provisioning token's name). The identity provider is authoritative for sign-in
    emails: a new one applies at once, recorded with ``source``; a used account's old address is
    told, its sessions end and a change waiting for HR is superseded."""
    result = RosterResult()
    index = {name: position for position, name in enumerate(COLUMNS)}
    try:
        parsed = [
            _row(number, [_cell(row.get(name)) for name in COLUMNS], index, len(COLUMNS), result.errors)
            for number, row in enumerate(rows, start=2)
        ]
        if result.errors:
            result.errors.sort(key=_sort_key)
            return result
        with transaction.atomic():
            lock_roster()
            plan = _check(parsed, result, False, send_invitations, hold_identity_changes=False)
            if plan is None:
                return result
            user_ids = {values[0]: values[1] for values in plan.existing.employees.values()}
            used = accounts_used(user_ids[pk] for pk, _old, _new in plan.moved)
            affected = _apply(plan, by, via, lambda share: None, source=source)
            reporting_paths_refresh()
            assignments_sync(employee_ids=affected.employee_ids)
            leaver_tasks_open(employee_ids=affected.employee_ids, source=LeaverSource.PROVISIONING)
            told = [change for change in affected.direct_changes if user_ids[change.employee_id] in used]
            if told:
                IdentityChange.objects.filter(
                    employee_id__in=[change.employee_id for change in told], outcome=IdentityChangeOutcome.PENDING
                ).update(outcome=IdentityChangeOutcome.SUPERSEDED, decided_by=by, decided_at=timezone.now())
                sessions_end(user_ids=[user_ids[change.employee_id] for change in told])
                for change in told:
                    identity_change_announce(change.pk)
    except _TooManyProblems as stopped:
        result.errors.sort(key=_sort_key)
        result.errors.insert(0, RowError(1, FILE, ERROR_TOO_MANY % {"row": stopped.args[0], "limit": MAX_ERRORS}))
        return result
    except IntegrityError:
        logger.warning("Provisioning rolled back on a constraint violation.", exc_info=True)
        return RosterResult(errors=[RowError(2, FILE, str(ERROR_CONCURRENT))])
    result.invite_ids = [affected.new_pks[row.employee_id] for row in plan.invite]
    if send_invitations and result.invite_ids:
        _queue_invitations(result.invite_ids)
    return result


def lock_roster() -> None:
    """One change to the people at a time, also across app servers (SQLite serialises writers by
    itself): an import, or HR's correction of one record. Take it first in the transaction:
    reporting paths are then computed from everyone else's committed changes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('attest.roster_import'))")


def _sort_key(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1


@dataclass
class _Plan:
    existing: _Existing
    new_rows: list[_Row]
    changed: list[tuple[_Row, list[str], bool]]  # row, changed employee fields, user out of step
    missing_to_terminate: list[str]
    missing_users_to_close: list[int]
    invite: list[_Row]
    held: list[HeldIdentityChange]
    moved: list[tuple[int, str, str]]  # never-used accounts whose email changes at once: pk, old, new


def _check(
    rows: list[_Row],
    result: RosterResult,
    deactivate_missing: bool,
    send_invitations: bool,
    hold_identity_changes: bool = True,
) -> _Plan | None:
    """Finish checking against the database and fill in ``result``'s counts; the plan if all is well."""
    existing = _load_existing()
    _check_across_rows(rows, existing, result.errors)
    if result.errors:
        result.errors.sort(key=_sort_key)
        return None
    plan = _plan(rows, existing, deactivate_missing, send_invitations, hold_identity_changes)
    result.created = len(plan.new_rows)
    result.updated = len(plan.changed)
    result.unchanged = len(rows) - result.created - result.updated
    result.deactivated = len(plan.missing_to_terminate) + sum(
        1 for row, fields, _user in plan.changed if "status" in fields and row.status == EmployeeStatus.TERMINATED
    )
    result.invited = len(plan.invite)
    result.held = plan.held
    return plan


def _hold_identity_changes(rows: list[_Row], existing: _Existing, hold: bool = True) -> tuple[list, list]:
    """Split new emails of existing people: a used account's waits for a second HR person (the
    row goes on with its current email), a never-used account's changes at once. With ``hold``
    false (the identity provider is authoritative) every new email changes at once."""
    moving = {
        row.employee_id: existing.employees[row.employee_id]
        for row in rows
        if row.employee_id in existing.employees and existing.employees[row.employee_id][3].lower() != row.email
    }
    if not moving:
        return [], []
    used = accounts_used(current[1] for current in moving.values()) if hold else set()
    held, moved = [], []
    for row in rows:
        current = moving.get(row.employee_id)
        if current is None:
            continue
        pk, user_id, _manager, old_email, *_rest = current
        if user_id in used:
            name = f"{row.first_name} {row.last_name}"
            held.append(HeldIdentityChange(row.number, row.employee_id, name, old_email, row.email))
            row.email = old_email
        else:
            moved.append((pk, old_email, row.email))
    return held, moved


def _plan(
    rows: list[_Row], existing: _Existing, deactivate_missing: bool, send_invitations: bool, hold: bool = True
) -> _Plan:
    held, moved = _hold_identity_changes(rows, existing, hold)
    new_rows, changed = [], []
    for row in rows:
        current = existing.employees.get(row.employee_id)
        if current is None:
            new_rows.append(row)
            continue
        _pk, user_id, manager_pk, *values = current
        fields = [
            name for name, old, new in zip(_EMPLOYEE_FIELDS, values, row.employee_values(), strict=True) if old != new
        ]
        if (existing.ids_by_pk[manager_pk] if manager_pk else "") != row.manager_employee_id:
            fields.append("manager")
        user_changed = existing.users.get(user_id) != row.user_values()
        if fields or user_changed:
            changed.append((row, fields, user_changed))
    to_terminate, users_to_close = [], []
    if deactivate_missing:
        in_file = {row.employee_id for row in rows}
        status = 3 + _EMPLOYEE_FIELDS.index("status")
        for employee_id, values in existing.employees.items():
            if employee_id in in_file:
                continue
            if values[status] != EmployeeStatus.TERMINATED:
                to_terminate.append(employee_id)
            if existing.users.get(values[1], (None,) * len(_USER_FIELDS))[-1]:
                users_to_close.append(values[1])
    invite = [row for row in new_rows if row.status != EmployeeStatus.TERMINATED] if send_invitations else []
    return _Plan(existing, new_rows, changed, to_terminate, users_to_close, invite, held, moved)


@dataclass
class _Affected:
    employee_ids: list[int]
    new_pks: dict[str, int]
    direct_changes: list = field(default_factory=list)  # IdentityChange rows applied at once


def _chunks(items: list, size: int = _DB_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _levels(new_rows: list[_Row]) -> list[list[_Row]]:
    """New people grouped so that each group's managers are already in the database or in an
    earlier group: inserting group by group sets every manager without a second pass."""
    by_id = {row.employee_id: row for row in new_rows}
    depth: dict[str, int] = {}
    for row in new_rows:
        path = []
        node = row.employee_id
        while node in by_id and node not in depth:
            path.append(node)
            node = by_id[node].manager_employee_id
        level = depth[node] + 1 if node in depth else 0
        for employee_id in reversed(path):
            depth[employee_id] = level
            level += 1
    levels: list[list[_Row]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for row in new_rows:
        levels[depth[row.employee_id]].append(row)
    return levels


_NEW_USER_FIELDS = (
    "password",
    "is_superuser",
    "is_staff",
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "date_joined",
)
_NEW_EMPLOYEE_FIELDS = ("user", "employee_id", "manager", *_EMPLOYEE_FIELDS, "updated_at")


def _label(employee_id: str, first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name} ({employee_id})"


def _apply(
    plan: _Plan, by, file_name: str, report: Callable[[float], None], source: str = IdentityChangeSource.ROSTER
) -> _Affected:
    """Write the plan: accounts, people (managers first), changes, leavers, then the audit log;
    new emails of used accounts become one request for a second HR person's approval."""
    User = get_user_model()
    existing = plan.existing
    now = timezone.now()
    log = _AuditLog(by=by, now=now, source=source, via=file_name)
    user_pks = insert_rows(
        User,
        _NEW_USER_FIELDS,
        [
            (
                # What set_unusable_password() stores, without its slow per-character random
                # draw: nobody can sign in until they choose a password from their invitation.
                UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                False,
                False,
                *row.user_values(),
                now,
            )
            for row in plan.new_rows
        ],
        key="username",
    )
    report(0.2)
    pks = {employee_id: values[0] for employee_id, values in existing.employees.items()}
    new_pks: dict[str, int] = {}
    for level in _levels(plan.new_rows):
        created = insert_rows(
            Employee,
            _NEW_EMPLOYEE_FIELDS,
            [
                (user_pks[row.email], row.employee_id, pks.get(row.manager_employee_id), *row.employee_values(), now)
                for row in level
            ],
            key="employee_id",
        )
        pks.update(created)
        new_pks.update(created)
    for row in plan.new_rows:
        log.add(new_pks[row.employee_id], _label(row.employee_id, row.first_name, row.last_name), {"change": "created"})
    report(0.5)

    employee_updates, user_updates, moved_addresses, touched = [], [], [], []
    for row, fields, user_changed in plan.changed:
        pk, user_id, *_rest = existing.employees[row.employee_id]
        touched.append(pk)
        if fields:
            manager = pks[row.manager_employee_id] if row.manager_employee_id else None
            employee_updates.append((*row.employee_values(), manager, now, pk))
        if user_changed:
            user_updates.append((*row.user_values(), user_id))
            if (existing.users.get(user_id, ("", ""))[1] or "").lower() != row.email:
                moved_addresses.append(user_id)
        log.add(
            pk,
            _label(row.employee_id, row.first_name, row.last_name),
            {"change": "updated", "fields": fields + (["account"] if user_changed else [])},
        )
    update_rows(Employee, [*_EMPLOYEE_FIELDS, "manager", "updated_at"], employee_updates)
    update_rows(User, _USER_FIELDS, user_updates)
    # allauth keeps its own copy of each sign-in address: drop the old one so it no longer
    # signs anyone in (allauth copies the new address over on next use).
    for chunk in _chunks(moved_addresses):
        EmailAddress.objects.filter(user_id__in=chunk).delete()
    report(0.7)

    leavers = []
    for employee_id in plan.missing_to_terminate:
        pk, _user_id, _manager, _email, first_name, last_name, *_rest = existing.employees[employee_id]
        leavers.append(pk)
        log.add(pk, _label(employee_id, first_name, last_name), {"change": "deactivated", "reason": "missing"})
    for chunk in _chunks(leavers):
        Employee.objects.filter(pk__in=chunk).update(status=EmployeeStatus.TERMINATED, updated_at=now)
    for chunk in _chunks(plan.missing_users_to_close):
        User.objects.filter(pk__in=chunk).update(is_active=False)
    direct = _record_identity_changes(plan, by=by, file_name=file_name, log=log, source=source)
    log.save()
    report(0.8)
    return _Affected(employee_ids=[*new_pks.values(), *touched, *leavers], new_pks=new_pks, direct_changes=direct)


def _record_identity_changes(
    plan: _Plan, *, by, file_name: str, log: "_AuditLog", source: str = IdentityChangeSource.ROSTER
) -> list[IdentityChange]:
    """Never-used accounts' new emails were written above: record and audit them old → new.
    Used accounts' new emails wait, as one request for the whole file."""
    now = timezone.now()
    common = {"requested_by": by, "requested_at": now, "source": source, "file_name": file_name}
    direct = IdentityChange.objects.bulk_create(
        [
            IdentityChange(
                employee_id=pk,
                old_email=old,
                new_email=new,
                batch=log.uuid,
                outcome=IdentityChangeOutcome.DIRECT,
                decided_by=by,
                decided_at=now,
                **common,
            )
            for pk, old, new in plan.moved
        ],
        batch_size=500,
    )
    labels = {values[0]: _label(employee_id, *values[4:6]) for employee_id, values in plan.existing.employees.items()}
    for change in direct:
        log.add(change.employee_id, labels[change.employee_id], identity_change_log_data(change), action=LOG_APPLIED)
    held = {change.employee_id: change for change in plan.held}
    for employee in Employee.objects.filter(employee_id__in=list(held)).select_related("user"):
        identity_change_request(
            employee=employee,
            new_email=held[employee.employee_id].new_email,
            by=by,
            source=IdentityChangeSource.ROSTER,
            file_name=file_name,
            batch=log.uuid,
        )
    return direct


class _AuditLog:
    """One Wagtail audit-log entry per person the import changed, sharing one uuid per import,
    written in bulk (``wagtail.log_actions.log`` would cost a query per person)."""

    FIELDS = (
        "content_type",
        "object_id",
        "label",
        "action",
        "data",
        "timestamp",
        "uuid",
        "user",
        "content_changed",
        "deleted",
    )

    def __init__(self, *, by, now, source: str = IdentityChangeSource.ROSTER, via: str = ""):
        self.by = by.pk if by else None
        # Entries of provisioning (SCIM) say so: their own action, the source and the token's name.
        self.provisioning = source == IdentityChangeSource.PROVISIONING
        self.extra = {"source": source, "via": via} if self.provisioning else {}
        self.now = now
        self.uuid = uuid.uuid4()
        self.content_type = ContentType.objects.get_for_model(Employee).pk
        self.rows = []

    def add(self, pk: int, label: str, data: dict, action: str = LOG_ACTION) -> None:
        if self.provisioning:
            action = LOG_PROVISIONING if action == LOG_ACTION else action
            data = {**data, **self.extra}
        self.rows.append((self.content_type, str(pk), label, action, data, self.now, self.uuid, self.by, True, False))

    def save(self) -> None:
        insert_rows(ModelLogEntry, self.FIELDS, self.rows)


def _queue_invitations(employee_ids: list[int]) -> None:
    from .tasks import send_invitations

    for chunk in _chunks(employee_ids, INVITATION_BATCH):
        send_invitations.enqueue(employee_ids=chunk)


@transaction.atomic
def employee_sync(*, employee: Employee, source: str = LeaverSource.EDIT) -> None:
    """After HR corrects someone's record in the admin (or provisioning changes it): keep their
    login in step with it (address, name, access) and their assignments with their department,
    location, track and status. A leaver who still holds an official account gets a removal task."""
    user = employee.user
    if (user.email or "").lower() != employee.email.lower():
        EmailAddress.objects.filter(user=user).delete()
    user.username = user.email = employee.email
    user.first_name, user.last_name = employee.first_name, employee.last_name
    user.is_active = employee.status != EmployeeStatus.TERMINATED
    user.save(update_fields=list(_USER_FIELDS))
    assignments_sync(employees=[employee])
    if employee.status == EmployeeStatus.TERMINATED:
        leaver_tasks_open(employee_ids=[employee.pk], source=source)


# --- Staging between preview and confirmation -------------------------------------------------


def _upload_max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS", 24))


def roster_upload_stage(*, upload, by, deactivate_missing: bool, send_invitations: bool) -> RosterUpload:
    """Keep a checked file in the database under a random token until its uploader confirms it,
    so that the confirmation may reach any app server. Abandoned uploads are purged first."""
    name, data = _name_and_bytes(upload)
    roster_uploads_purge()
    staged = RosterUpload(
        token=secrets.token_urlsafe(24),
        uploaded_by=by,
        file_name=Path(name.replace("\\", "/")).name[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        deactivate_missing=deactivate_missing,
        send_invitations=send_invitations,
        created_at=timezone.now(),
    )
    staged.full_clean()
    staged.save()
    return staged


def roster_upload_take(*, token: str, by) -> RosterUpload | None:
    """The staged upload ``by`` confirms, removed from staging so it is applied at most once
    (two confirmations at once, on two servers, get it once). ``None`` when it is someone
    else's, expired, already taken, or no longer matches its checksum."""
    staged = RosterUpload.objects.filter(
        token=token, uploaded_by=by, created_at__gte=timezone.now() - _upload_max_age()
    ).first()
    if staged is None or not RosterUpload.objects.filter(pk=staged.pk).delete()[0]:
        return None
    staged.content = bytes(staged.content)
    if not secrets.compare_digest(hashlib.sha256(staged.content).hexdigest(), staged.sha256):
        return None
    return staged


def roster_upload_discard(*, token: str, by) -> None:
    RosterUpload.objects.filter(token=token, uploaded_by=by).delete()


def roster_uploads_purge(*, at: datetime.datetime | None = None) -> int:
    """Delete uploads older than ``ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS``; returns how many."""
    cutoff = (at or timezone.now()) - _upload_max_age()
    return RosterUpload.objects.filter(created_at__lt=cutoff).delete()[0]
