"""attest test builders: roster files, a snapshot of everything an import may touch, and a small
hand-built organisation whose compliance figures are known."""

import csv
import datetime
from pathlib import Path
from types import SimpleNamespace

import openpyxl
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attest.models import Assignment, Employee, ReminderKind, ReminderLog, RequirementKind
from attest.roster import COLUMNS
from tests import factories


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


AS_OF = datetime.date(2026, 3, 31)


LATER = datetime.date(2026, 4, 10)


def moment(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build_organisation() -> SimpleNamespace:
    """Seven people in three departments, two requirements, ten assignments.

    As of 2026-03-31 (``AS_OF``) eight assignments count: Rita completed on time, Sam late, Tom
    is overdue twice (his second assignment is cancelled only on 5 April), Cora is overdue (she
    completes on 5 April), Una is in progress, Vic assigned, Mia exempt. Rita's second assignment
    starts on 10 April and Sam's second was cancelled in March.
    """
    policy = factories.published_policy()
    version = factories.release(policy)
    cora = factories.employee("Cora", "Chief", department="Executive", location="Oslo", language="nb")
    mia = factories.employee("Mia", "Manager", manager=cora, department="Retail", location="Oslo", language="nb")
    rita = factories.employee("Rita", "Lead", manager=mia, department="Retail", location="Oslo", language="nb")
    sam = factories.employee("Sam", "Seller", manager=mia, department="Retail", location="London", language="en")
    tom = factories.employee("Tom", "Trainee", manager=rita, department="Retail", location="London", language="en")
    una = factories.employee("Una", "Brand", manager=cora, department="Marketing", location="Paris", language="fr")
    vic = factories.employee("Vic", "Voice", manager=una, department="Marketing", location="Paris", language="fr")
    onboarding = factories.requirement(policy, kind=RequirementKind.ONBOARDING, name="Onboarding")
    annual = factories.requirement(policy, kind=RequirementKind.ANNUAL, name="Annual refresher")

    def assign(employee, requirement, due, assigned=datetime.date(2026, 1, 5), **fields):
        return factories.assignment(employee, version, requirement, due_on=due, assigned_on=assigned, **fields)

    org = SimpleNamespace(policy=policy, version=version, onboarding=onboarding, annual=annual)
    org.people = SimpleNamespace(cora=cora, mia=mia, rita=rita, sam=sam, tom=tom, una=una, vic=vic)
    march_15, april_30 = datetime.date(2026, 3, 15), datetime.date(2026, 4, 30)
    org.rita_done = assign(
        rita,
        onboarding,
        march_15,
        completed_at=moment(datetime.date(2026, 3, 10)),
        completed_on=datetime.date(2026, 3, 10),
    )
    org.sam_late = assign(
        sam,
        onboarding,
        march_15,
        completed_at=moment(datetime.date(2026, 3, 20)),
        completed_on=datetime.date(2026, 3, 20),
    )
    org.tom_overdue = assign(tom, onboarding, march_15)
    org.una_started = assign(una, onboarding, april_30, started_at=moment(datetime.date(2026, 3, 20)))
    org.vic_assigned = assign(vic, onboarding, april_30)
    org.mia_exempt = assign(
        mia, annual, datetime.date(2026, 3, 1), exempted_at=moment(datetime.date(2026, 2, 20)), exemption_reason="Leave"
    )
    org.cora_late = assign(
        cora,
        annual,
        datetime.date(2026, 3, 20),
        completed_at=moment(datetime.date(2026, 4, 5)),
        completed_on=datetime.date(2026, 4, 5),
    )
    org.rita_future = assign(rita, annual, datetime.date(2026, 5, 10), assigned=LATER)
    org.sam_cancelled = assign(
        sam, annual, datetime.date(2026, 3, 25), cancelled_at=moment(datetime.date(2026, 3, 1)), cancel_reason="left"
    )
    org.tom_cancelled_later = assign(
        tom, annual, datetime.date(2026, 3, 25), cancelled_at=moment(datetime.date(2026, 4, 5)), cancel_reason="left"
    )
    for n, day in enumerate([datetime.date(2026, 3, 16), datetime.date(2026, 3, 23), datetime.date(2026, 4, 2)]):
        ReminderLog.objects.create(
            kind=ReminderKind.OVERDUE,
            dedupe_key=f"overdue:{org.tom_overdue.pk}:{n}",
            recipient=tom.email,
            employee=tom,
            assignment=org.tom_overdue,
            sent_at=moment(day),
        )
    return org
