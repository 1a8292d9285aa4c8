"""Checking a roster's rows: the header, every cell, and the rows against each other and against the people already employed. Every problem is named by row and column."""

from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from training.models import Track

from ..dates import iso_date
from ..hierarchy import line_problems
from ..models import Employee, EmployeeStatus, Language
from ..validators import ERROR_UNPRINTABLE, has_unprintable
from .parse import _NotARoster

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


ERROR_TOO_MANY = _(
    "More than %(limit)s problems: checking stopped at row %(row)s, so there may be more. "
    "Fix these and upload the file again."
)


MAX_ERRORS = 1000


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
