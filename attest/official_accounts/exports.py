"""The register as CSV and Excel, one row per account, for HR and auditors.

Written with the compliance exports' own rules (``attest.exports``): CSV starts with a byte order
mark and neutralises a text cell starting with ``= + - @`` (prefixed ``'``); Excel stores such a
cell as text, never a formula. Dates are ISO 8601 in CSV and real dates in Excel."""

import csv
import datetime
import io

from django.utils import timezone
from openpyxl import Workbook

from ..exports import CSV_BOM, xlsx_cell
from ..models import EmployeeStatus
from ..reports import formula_safe
from .models import PHISHING_RESISTANT
from .selectors import accounts_with_holders

COLUMNS = (
    "platform",
    "handle",
    "url",
    "department",
    "country",
    "language",
    "purpose",
    "sign_in_protection",
    "phishing_resistant",
    "credential_location",
    "holders",
    "leavers_holding_access",
    "open_removal_tasks",
    "review_every_months",
    "last_reviewed_on",
    "next_review_on",
    "review_overdue",
)


def _holder(access) -> str:
    name = access.holder_name
    if access.external_email:
        name = f"{name} <{access.external_email}>"
    return f"{name} ({access.role})"


def register_rows(*, at: datetime.date | None = None):
    """One tuple per account, in ``COLUMNS`` order: stable codes, dates as ``date``."""
    at = at or timezone.localdate()
    for account in accounts_with_holders().order_by("platform", "handle"):
        leavers = [
            a.holder_name for a in account.holders if a.employee_id and a.employee.status == EmployeeStatus.TERMINATED
        ]
        yield (
            account.platform,
            account.handle,
            account.url,
            account.department,
            account.country,
            account.language,
            account.purpose,
            account.sign_in_protection,
            "yes" if account.sign_in_protection in PHISHING_RESISTANT else "no",
            account.credential_location,
            "; ".join(_holder(access) for access in account.holders),
            "; ".join(leavers),
            account.open_tasks,
            account.review_every_months,
            account.last_reviewed_on,
            account.next_review_on,
            "yes" if account.next_review_on and account.next_review_on < at else "no",
        )


def _csv_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return formula_safe(value)


def register_csv() -> bytes:
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([_csv_value(value) for value in row] for row in register_rows())
    return buffer.getvalue().encode()


def register_xlsx(output) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Register")
    sheet.append([xlsx_cell(sheet, name, bold=True) for name in COLUMNS])
    for row in register_rows():
        sheet.append(
            [
                xlsx_cell(sheet, value, number_format="yyyy-mm-dd")
                if isinstance(value, datetime.date)
                else xlsx_cell(sheet, value)
                for value in row
            ]
        )
    workbook.save(output)
