"""Roster import (DESIGN §4): every bad input is reported as ``row N, column C: message`` and
changes nothing; good files apply completely, re-imports are no-ops, leavers keep their records."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from attest import dates, hierarchy, roster
from attest.hierarchy import MAX_DEPTH, depth, in_line, line_prefix
from attest.models import Assignment, Employee, EmployeeStatus, ReminderKind, ReminderLog, RequirementKind
from attest.reminders import invitations_send
from attest.roster import RowError, roster_import
from tests import factories
from tests.attest.factories import roster_row, snapshot, team, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def reporting_line(manager: Employee) -> list[str]:
    return list(Employee.objects.filter(in_line(line_prefix(manager))).values_list("employee_id", flat=True))


def problems(result) -> list[str]:
    return [str(error) for error in result.errors]


def assert_rejected(path: Path, expected: list[str], **options) -> None:
    """The import reports exactly ``expected`` and leaves the database as it was."""
    before = snapshot()
    outbox = len(mail.outbox)
    result = roster_import(source=path, **options)
    assert problems(result) == expected
    assert snapshot() == before
    assert len(mail.outbox) == outbox
    assert (result.created, result.updated, result.unchanged, result.deactivated) == (0, 0, 0, 0)


def message(constant, **values) -> str:
    return str(constant) % values if values else str(constant)


# --- Good files -------------------------------------------------------------------------------


def test_import_creates_people_with_accounts_managers_and_no_password(tmp_path):
    result = roster_import(source=write_csv(tmp_path / "roster.csv", team(3)), send_invitations=False)

    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.deactivated) == (3, 0, 0, 0)
    boss = Employee.objects.get(employee_id="R00001")
    assert boss.manager is None
    assert set(boss.reports.values_list("employee_id", flat=True)) == {"R00002", "R00003"}
    user = boss.user
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "person1@example.com",
        "person1@example.com",
        "Person",
        "Number1",
    )
    assert user.is_active
    assert not user.has_usable_password()
    assert boss.hire_date == datetime.date(2020, 1, 6)
    assert ModelLogEntry.objects.filter(action=roster.LOG_ACTION).count() == 3


def test_managers_may_come_later_in_the_file(tmp_path):
    rows = [roster_row(2, manager_employee_id="R00003"), roster_row(3, manager_employee_id="R00001"), roster_row(1)]
    assert roster_import(source=write_csv(tmp_path / "r.csv", rows), send_invitations=False).ok
    assert Employee.objects.get(employee_id="R00002").manager.manager.employee_id == "R00001"


def test_manager_may_be_an_existing_employee_not_in_the_file(tmp_path):
    boss = factories.employee("Bea", "Boss", employee_id="B1")
    assert roster_import(
        source=write_csv(tmp_path / "r.csv", [roster_row(1, manager_employee_id="B1")]), send_invitations=False
    ).ok
    assert Employee.objects.get(employee_id="R00001").manager == boss


def test_csv_with_byte_order_mark(tmp_path):
    rows = [roster_row(1, first_name="Åse", last_name="Bjørnstad")]
    result = roster_import(source=write_csv(tmp_path / "bom.csv", rows, bom=True), send_invitations=False)
    assert result.ok, problems(result)
    assert Employee.objects.get().first_name == "Åse"


def test_xlsx_with_date_cells_and_numeric_ids(tmp_path):
    rows = [roster_row(1, employee_id=1001), roster_row(2, employee_id=1002, manager_employee_id=1001)]
    result = roster_import(source=write_xlsx(tmp_path / "roster.xlsx", rows), send_invitations=False)
    assert result.ok, problems(result)
    report = Employee.objects.get(employee_id="1002")
    assert report.manager.employee_id == "1001"
    assert report.hire_date == datetime.date(2020, 1, 6)


def test_uploaded_file_is_accepted(tmp_path):
    path = write_csv(tmp_path / "roster.csv", team(2))
    upload = SimpleUploadedFile("from-hr.csv", path.read_bytes(), content_type="text/csv")
    assert roster_import(source=upload, send_invitations=False).created == 2


def test_demo_roster_is_valid():
    result = roster_import(source=Path(settings.BASE_DIR) / "fixtures" / "roster.csv", dry_run=True)
    assert result.ok, problems(result)
    assert result.created == 55  # with Henrik Dahl, the second HR person


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "roster.csv", team(4))
    roster_import(source=path, send_invitations=False)
    before = snapshot()

    result = roster_import(source=path)

    assert result.ok
    assert (result.created, result.updated, result.unchanged, result.deactivated, result.invited) == (0, 0, 4, 0, 0)
    assert snapshot() == before  # updated_at included
    assert mail.outbox == []


def test_changed_rows_are_updated_and_only_they(tmp_path):
    rows = team(3)
    roster_import(source=write_csv(tmp_path / "r.csv", rows), send_invitations=False)
    stamps = dict(Employee.objects.values_list("employee_id", "updated_at"))
    rows[1] |= {"department": "Marketing", "email": "New.Address@example.com", "last_name": "Renamed"}

    result = roster_import(source=write_csv(tmp_path / "r2.csv", rows), send_invitations=False)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    moved = Employee.objects.select_related("user").get(employee_id="R00002")
    assert (moved.department, moved.email, moved.last_name) == ("Marketing", "new.address@example.com", "Renamed")
    assert (moved.user.username, moved.user.email, moved.user.last_name) == (
        "new.address@example.com",
        "new.address@example.com",
        "Renamed",
    )
    assert moved.updated_at > stamps["R00002"]
    assert Employee.objects.get(employee_id="R00003").updated_at == stamps["R00003"]
    entry = ModelLogEntry.objects.filter(action=roster.LOG_ACTION, object_id=str(moved.pk)).latest("pk")
    assert entry.data == {"change": "updated", "fields": ["email", "last_name", "department", "account"]}


def test_a_new_manager_is_set(tmp_path):
    rows = team(2)
    roster_import(source=write_csv(tmp_path / "r.csv", rows), send_invitations=False)
    rows.append(roster_row(9))
    rows[1]["manager_employee_id"] = "R00009"
    result = roster_import(source=write_csv(tmp_path / "r2.csv", rows), send_invitations=False)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert Employee.objects.get(employee_id="R00002").manager.employee_id == "R00009"


def test_terminated_people_lose_access_but_keep_their_records(tmp_path, version):
    rows = team(2)
    roster_import(source=write_csv(tmp_path / "r.csv", rows), send_invitations=False)
    leaver = Employee.objects.get(employee_id="R00002")
    assignment = factories.assignment(leaver, version)
    rows[1]["status"] = "terminated"

    result = roster_import(source=write_csv(tmp_path / "r2.csv", rows), send_invitations=False)

    assert (result.updated, result.deactivated) == (1, 1)
    leaver.refresh_from_db()
    assert leaver.status == EmployeeStatus.TERMINATED
    assert not leaver.user.is_active
    assignment.refresh_from_db()
    assert assignment.cancelled_at is not None and assignment.cancel_reason == "left"
    assert Assignment.objects.filter(pk=assignment.pk).exists()


def test_people_missing_from_the_file_stay_unless_asked(tmp_path):
    roster_import(source=write_csv(tmp_path / "r.csv", team(3)), send_invitations=False)
    shorter = write_csv(tmp_path / "r2.csv", team(2))

    kept = roster_import(source=shorter)
    assert (kept.unchanged, kept.deactivated) == (2, 0)
    assert Employee.objects.get(employee_id="R00003").user.is_active

    gone = roster_import(source=shorter, deactivate_missing=True)
    assert (gone.unchanged, gone.updated, gone.deactivated) == (2, 0, 1)
    leaver = Employee.objects.select_related("user").get(employee_id="R00003")
    assert leaver.status == EmployeeStatus.TERMINATED
    assert not leaver.user.is_active
    assert roster_import(source=shorter, deactivate_missing=True).deactivated == 0


def test_dry_run_reports_and_changes_nothing(tmp_path):
    roster_import(source=write_csv(tmp_path / "r.csv", team(2)), send_invitations=False)
    rows = team(2) + [roster_row(7)]
    rows[0]["location"] = "Oslo"
    before = snapshot()

    result = roster_import(source=write_csv(tmp_path / "r2.csv", rows), dry_run=True)

    assert result.dry_run
    assert (result.created, result.updated, result.unchanged, result.invited) == (1, 1, 1, 1)
    assert snapshot() == before
    assert mail.outbox == []


def test_import_creates_assignments(tmp_path, version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    roster_import(source=write_csv(tmp_path / "r.csv", team(3)), send_invitations=False)
    assert Assignment.objects.filter(version=version).count() == 3


def test_progress_is_reported(tmp_path):
    calls = []
    roster_import(
        source=write_csv(tmp_path / "r.csv", [roster_row(n) for n in range(1, 4001)]),
        send_invitations=False,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1]
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert len(calls) > 3


# --- Invitations ------------------------------------------------------------------------------


def test_new_people_are_invited_once_with_a_link_to_set_their_password(tmp_path):
    path = write_csv(tmp_path / "r.csv", [roster_row(1), roster_row(2, status="terminated", email="gone@example.com")])

    result = roster_import(source=path)

    assert result.invited == 1
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == ["person1@example.com"]
    employee = Employee.objects.get(employee_id="R00001")
    assert ReminderLog.objects.get(kind=ReminderKind.INVITATION).dedupe_key == f"invitation:{employee.pk}"
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", invitation.body).group(0)
    assert link.startswith(settings.WAGTAILADMIN_BASE_URL)
    assert link in invitation.alternatives[0][0]

    roster_import(source=path)
    assert invitations_send(employee_ids=[employee.pk]) == 0
    assert len(mail.outbox) == 1

    client = Client()
    response = client.get(link.removeprefix(settings.WAGTAILADMIN_BASE_URL))
    assert response.status_code == 302
    new_password = "a-long-new-password-42"
    response = client.post(response.url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    employee.user.refresh_from_db()
    assert employee.user.check_password(new_password)
    assert client.login(username=employee.email, password=new_password)


def test_invitation_is_in_the_persons_language(tmp_path):
    roster_import(source=write_csv(tmp_path / "r.csv", [roster_row(1, language="fr")]))
    assert 'lang="fr"' in mail.outbox[0].alternatives[0][0]


def test_no_invitations_when_not_wanted(tmp_path):
    roster_import(source=write_csv(tmp_path / "r.csv", team(2)), send_invitations=False)
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


# --- Bad input: one test per case -------------------------------------------------------------


def test_missing_column(tmp_path):
    header = [column for column in roster.COLUMNS if column not in {"hire_date", "track"}]
    path = write_csv(tmp_path / "r.csv", team(2), header=header)
    assert_rejected(
        path,
        [
            f"row 1, column hire_date: {message(roster.ERROR_MISSING_COLUMN)}",
            f"row 1, column track: {message(roster.ERROR_MISSING_COLUMN)}",
        ],
    )


def test_unknown_column(tmp_path):
    path = write_csv(tmp_path / "r.csv", team(2), header=[*roster.COLUMNS, "salary"])
    assert_rejected(path, [f"row 1, column salary: {message(roster.ERROR_UNKNOWN_COLUMN)}"])


def test_file_that_is_not_csv_or_xlsx(tmp_path):
    path = tmp_path / "roster.pdf"
    path.write_bytes(b"%PDF-1.7 not a roster")
    assert_rejected(path, [f"row 1, column file: {message(roster.ERROR_FILE_TYPE)}"])


def test_binary_garbage_named_csv(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(bytes(range(256)) * 8)
    assert_rejected(path, [f"row 1, column file: {message(roster.ERROR_NOT_A_ROSTER)}"])


def test_garbage_named_xlsx(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    assert_rejected(path, [f"row 1, column file: {message(roster.ERROR_NOT_A_ROSTER)}"])


def test_spreadsheet_that_is_something_else(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("quarter,region,revenue\nQ1,North,100\n", encoding="utf-8")
    assert_rejected(path, [f"row 1, column file: {message(roster.ERROR_NOT_A_ROSTER)}"])


def test_empty_file(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"")
    assert_rejected(path, [f"row 1, column file: {message(roster.ERROR_NOT_A_ROSTER)}"])


def test_header_without_people(tmp_path):
    assert_rejected(write_csv(tmp_path / "r.csv", []), [f"row 1, column file: {message(roster.ERROR_NO_ROWS)}"])


def test_empty_required_field(tmp_path):
    rows = team(3)
    rows[1]["last_name"] = "  "
    rows[2]["department"] = ""
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [
            f"row 3, column last_name: {message(roster.ERROR_REQUIRED)}",
            f"row 4, column department: {message(roster.ERROR_REQUIRED)}",
        ],
    )


def test_bad_email(tmp_path):
    rows = team(2)
    rows[1]["email"] = "not-an-address"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column email: {message(roster.ERROR_EMAIL, value='not-an-address')}"],
    )


def test_unknown_track(tmp_path):
    rows = team(2)
    rows[1]["track"] = "marketing"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column track: {message(roster.ERROR_TRACK, value='marketing', choices='all, official')}"],
    )


def test_unknown_status(tmp_path):
    rows = team(2)
    rows[0]["status"] = "retired"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 2, column status: {message(roster.ERROR_STATUS, value='retired', choices='active, leave, terminated')}"],
    )


def test_unknown_language(tmp_path):
    rows = team(2)
    rows[1]["language"] = "de"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column language: {message(roster.ERROR_LANGUAGE, value='de', choices='en, fr, es, da, nb')}"],
    )


@pytest.mark.parametrize("value", ["06/01/2020", "20200106", "yesterday"])
def test_bad_date(tmp_path, value):
    rows = team(2)
    rows[1]["hire_date"] = value
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows), [f"row 3, column hire_date: {message(dates.ERROR_DATE, value=value)}"]
    )


@pytest.mark.parametrize("value", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-04-31"])
def test_well_formed_but_impossible_date(tmp_path, value):
    rows = team(2)
    rows[1]["hire_date"] = value
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column hire_date: {message(dates.ERROR_DATE_IMPOSSIBLE, value=value)}"],
    )


def test_duplicate_employee_id(tmp_path):
    rows = team(3)
    rows[2]["employee_id"] = "R00002"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 4, column employee_id: {message(roster.ERROR_DUPLICATE_ID, value='R00002', other=3)}"],
    )


def test_duplicate_email_in_the_file(tmp_path):
    rows = team(3)
    rows[2]["email"] = "PERSON2@example.com"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 4, column email: {message(roster.ERROR_DUPLICATE_EMAIL, value='person2@example.com', other=3)}"],
    )


def test_manager_that_does_not_exist(tmp_path):
    rows = team(2)
    rows[1]["manager_employee_id"] = "X404"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column manager_employee_id: {message(roster.ERROR_MANAGER_UNKNOWN, value='X404')}"],
    )


def test_manager_loop(tmp_path):
    rows = team(3)
    rows[0]["manager_employee_id"] = "R00002"  # R00001 -> R00002 -> R00001
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [
            f"row 2, column manager_employee_id: {message(hierarchy.ERROR_MANAGER_LOOP, chain='R00001 → R00002 → R00001')}",
            f"row 3, column manager_employee_id: {message(hierarchy.ERROR_MANAGER_LOOP, chain='R00002 → R00001 → R00002')}",
        ],
    )


def test_own_manager(tmp_path):
    rows = team(2)
    rows[1]["manager_employee_id"] = "R00002"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column manager_employee_id: {message(hierarchy.ERROR_MANAGER_LOOP, chain='R00002 → R00002')}"],
    )


def test_manager_loop_through_the_database(tmp_path):
    roster_import(source=write_csv(tmp_path / "r.csv", team(2)), send_invitations=False)
    # R00002 reports to R00001 in the database; the file makes R00001 report to R00002.
    rows = [roster_row(1, manager_employee_id="R00002")]
    assert_rejected(
        write_csv(tmp_path / "r2.csv", rows),
        [
            f"row 2, column manager_employee_id: {message(hierarchy.ERROR_MANAGER_LOOP, chain='R00001 → R00002 → R00001')}"
        ],
    )


def test_email_of_another_employee(tmp_path):
    factories.employee("Emma", "Wilson", employee_id="E1", email="emma@example.com")
    rows = team(2)
    rows[1]["email"] = "Emma@Example.com"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column email: {message(roster.ERROR_EMAIL_TAKEN, value='emma@example.com', other='E1')}"],
    )


def test_email_of_another_user_account(tmp_path):
    factories.user(email="admin@example.com")
    rows = team(2)
    rows[1]["email"] = "admin@example.com"
    assert_rejected(
        write_csv(tmp_path / "r.csv", rows),
        [f"row 3, column email: {message(roster.ERROR_EMAIL_TAKEN_USER, value='admin@example.com')}"],
    )


def test_every_problem_is_reported_in_row_order(tmp_path):
    rows = team(4)
    rows[3] |= {"track": "x", "hire_date": "x", "email": "x"}
    rows[1]["manager_employee_id"] = "nobody"
    rows[2]["employee_id"] = "R00002"
    result = roster_import(source=write_csv(tmp_path / "r.csv", rows))
    assert [(error.row, error.column) for error in result.errors] == [
        (3, "manager_employee_id"),
        (4, "employee_id"),
        (5, "email"),
        (5, "hire_date"),
        (5, "track"),
    ]
    assert all(isinstance(error, RowError) for error in result.errors)


def stopped_at(row: int) -> str:
    return f"row 1, column file: {message(roster.ERROR_TOO_MANY, limit=roster.MAX_ERRORS, row=row)}"


def test_a_file_of_junk_stops_at_the_problem_limit(tmp_path):
    """Two problems a row: rows 2 to 501 fill the list, and row 502 stops the check."""
    rows = [roster_row(n, email=f"junk{n}", hire_date="soon") for n in range(1, 3001)]
    before = snapshot()
    result = roster_import(source=write_csv(tmp_path / "junk.csv", rows))
    found = problems(result)
    assert len(found) == roster.MAX_ERRORS + 1
    assert found[0] == stopped_at(502)
    assert found[1] == f"row 2, column email: {message(roster.ERROR_EMAIL, value='junk1')}"
    assert found[-1] == f"row 501, column hire_date: {message(dates.ERROR_DATE, value='soon')}"
    assert snapshot() == before


def test_problems_across_rows_stop_at_the_limit_too(tmp_path):
    rows = [roster_row(n, email="same@example.com") for n in range(1, roster.MAX_ERRORS + 201)]
    before = snapshot()
    found = problems(roster_import(source=write_csv(tmp_path / "same.csv", rows)))
    assert len(found) == roster.MAX_ERRORS + 1
    assert found[0].startswith("row 1, column file: ") and "checking stopped at row" in found[0]
    assert (
        found[1] == f"row 3, column email: {message(roster.ERROR_DUPLICATE_EMAIL, value='same@example.com', other=2)}"
    )
    assert snapshot() == before


def test_one_bad_row_stops_everything(tmp_path, version):
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=datetime.date(2030, 1, 1))
    roster_import(source=write_csv(tmp_path / "r.csv", team(3)), send_invitations=False)
    rows = team(3) + [roster_row(8)]
    rows[0]["department"] = "Marketing"
    rows[2]["status"] = "terminated"
    rows[3]["track"] = "nope"
    assert_rejected(
        write_csv(tmp_path / "r2.csv", rows),
        [f"row 5, column track: {message(roster.ERROR_TRACK, value='nope', choices='all, official')}"],
        deactivate_missing=True,
    )


# --- The command ------------------------------------------------------------------------------


def test_command_prints_every_problem_and_exits_non_zero(tmp_path):
    rows = team(3)
    rows[1]["track"] = "x"
    rows[2]["hire_date"] = "x"
    stderr = StringIO()
    before = snapshot()
    with pytest.raises(CommandError) as failure:
        call_command("import_roster", str(write_csv(tmp_path / "r.csv", rows)), stderr=stderr)
    assert failure.value.returncode == 1
    assert stderr.getvalue().splitlines() == [
        f"row 3, column track: {message(roster.ERROR_TRACK, value='x', choices='all, official')}",
        f"row 4, column hire_date: {message(dates.ERROR_DATE, value='x')}",
    ]
    assert "2 problems" in str(failure.value)
    assert snapshot() == before


def test_command_imports_and_summarises(tmp_path):
    path = write_csv(tmp_path / "r.csv", team(3))
    stdout = StringIO()
    call_command("import_roster", str(path), "--dry-run", stdout=stdout)
    assert "Dry run" in stdout.getvalue()
    assert not Employee.objects.exists()

    stdout = StringIO()
    call_command("import_roster", str(path), stdout=stdout)
    assert stdout.getvalue().strip() == "3 created, 0 updated, 0 unchanged, 0 deactivated, 3 invited."
    assert len(mail.outbox) == 3


def test_command_deactivates_missing_people(tmp_path):
    call_command("import_roster", str(write_csv(tmp_path / "r.csv", team(3))), "--no-invitations", stdout=StringIO())
    stdout = StringIO()
    call_command("import_roster", str(write_csv(tmp_path / "r2.csv", team(2))), "--deactivate-missing", stdout=stdout)
    assert "1 deactivated" in stdout.getvalue()
    assert get_user_model().objects.get(email="person3@example.com").is_active is False


def test_command_shows_progress_for_large_files(tmp_path):
    stderr = StringIO()
    path = write_csv(tmp_path / "r.csv", [roster_row(n) for n in range(1, 3001)])
    call_command("import_roster", str(path), "--no-invitations", stdout=StringIO(), stderr=stderr)
    lines = stderr.getvalue().splitlines()
    assert lines[0] == "Importing… 0%"
    assert lines[-1] == "Importing… 100%"
    assert len(lines) <= 21


def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_roster", str(tmp_path / "nope.csv"))


def test_moving_a_manager_moves_their_whole_line(tmp_path):
    """The stored reporting paths follow the file: R00003 and their report R00004 move from
    R00001's line to R00002's."""
    rows = [
        roster_row(1),
        roster_row(2),
        roster_row(3, manager_employee_id="R00001"),
        roster_row(4, manager_employee_id="R00003"),
    ]
    roster_import(source=write_csv(tmp_path / "r.csv", rows), send_invitations=False)
    first, second = Employee.objects.get(employee_id="R00001"), Employee.objects.get(employee_id="R00002")
    assert set(reporting_line(first)) == {"R00003", "R00004"} and reporting_line(second) == []

    rows[2]["manager_employee_id"] = "R00002"
    roster_import(source=write_csv(tmp_path / "r2.csv", rows), send_invitations=False)
    assert reporting_line(first) == []
    assert set(reporting_line(second)) == {"R00003", "R00004"}
    four = Employee.objects.get(employee_id="R00004")
    assert four.managers_path == f"/{second.pk}/{four.manager_id}/"


def test_a_large_import_refreshes_the_planner_statistics(tmp_path):
    """Autovacuum may be off or late: after a bulk change the reports' queries need fresh statistics."""
    small = [roster_row(n) for n in range(1, 4)]
    with CaptureQueriesContext(connection) as queries:
        roster_import(source=write_csv(tmp_path / "small.csv", small), send_invitations=False)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    large = [roster_row(n) for n in range(1, roster.ANALYZE_AFTER + 4)]
    with CaptureQueriesContext(connection) as queries:
        result = roster_import(source=write_csv(tmp_path / "large.csv", large), send_invitations=False)
    assert result.created == roster.ANALYZE_AFTER
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert any(Employee._meta.db_table in sql for sql in analyzed), analyzed


def test_a_reporting_line_deeper_than_the_limit_is_refused(tmp_path):
    """A chain of people each managing the next, one level too many: the row that goes too deep
    is named, and nothing is imported."""
    rows = [roster_row(1)]
    rows += [roster_row(n, manager_employee_id=f"R{n - 1:05d}") for n in range(2, MAX_DEPTH + 3)]
    result = roster_import(source=write_csv(tmp_path / "chain.csv", rows), send_invitations=False)
    last = f"R{MAX_DEPTH + 2:05d}"
    assert problems(result) == [
        f"row {MAX_DEPTH + 3}, column manager_employee_id: "
        + message(hierarchy.ERROR_LINE_TOO_DEEP, employee=last, levels=MAX_DEPTH + 1, limit=MAX_DEPTH)
    ]
    assert not Employee.objects.exists()
    assert roster_import(source=write_csv(tmp_path / "ok.csv", rows[:-1]), send_invitations=False).ok
    deepest = Employee.objects.get(employee_id=f"R{MAX_DEPTH + 1:05d}")
    assert depth(deepest.managers_path) == MAX_DEPTH
