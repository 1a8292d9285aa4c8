"""Builders for roster files and a snapshot of everything an import may touch."""

import csv
import datetime
from pathlib import Path

import openpyxl
from django.contrib.auth import get_user_model
from wagtail.models import ModelLogEntry

from attest.models import Assignment, Employee, ReminderLog
from attest.roster import COLUMNS


def roster_row(n: int, **fields) -> dict:
    row = {
        "employee_id": f"R{n:05d}",
        "email": f"person{n}@example.com",
        "first_name": "Person",
        "last_name": f"Number{n}",
        "department": "Retail",
        "location": "London",
        "manager_employee_id": "",
        "hire_date": "2020-01-06",
        "language": "en",
        "track": "all",
        "status": "active",
    }
    row.update(fields)
    return row


def team(size: int = 3, **fields) -> list[dict]:
    """A manager (first row) and their reports."""
    rows = [roster_row(1, **fields)]
    rows += [roster_row(n, manager_employee_id="R00001", **fields) for n in range(2, size + 1)]
    return rows


def write_csv(path: Path, rows: list[dict], header=COLUMNS, bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def write_xlsx(path: Path, rows: list[dict], header=COLUMNS, native_dates: bool = True) -> Path:
    """An Excel roster as HR systems write them: real date cells, numbers where it looks numeric."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        values = []
        for column in header:
            value = row.get(column, "")
            if column == "hire_date" and native_dates and value:
                value = datetime.datetime.fromisoformat(value)
            values.append(value)
        sheet.append(values)
    workbook.save(path)
    return path


def snapshot() -> dict:
    """Everything a roster import could change, to prove a failed import changed nothing."""
    return {
        "users": list(
            get_user_model().objects.order_by("pk").values_list("pk", "username", "email", "is_active", "password")
        ),
        "employees": list(Employee.objects.order_by("pk").values()),
        "assignments": list(Assignment.objects.order_by("pk").values()),
        "log": ModelLogEntry.objects.count(),
        "reminders": ReminderLog.objects.count(),
    }
