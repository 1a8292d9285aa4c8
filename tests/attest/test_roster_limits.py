"""Roster files past the size limits (issue 14): refused quickly, with a message that says which
limit, through the command and the admin upload; and the staged upload between preview and
confirmation (database, uploader only, purged when abandoned)."""

import datetime
import hashlib
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from attest import roster
from attest.admin.people.roster_import import ROSTER_SESSION_KEY
from attest.models import RosterUpload
from cms.roles import HR
from tests import factories
from tests.attest.factories import snapshot, team, write_csv, write_xlsx
from tests.attest.hostile_workbooks import NS, huge_shared_strings_workbook, last_column_workbook, workbook_with_sheet

pytestmark = pytest.mark.django_db

QUICK = 10.0  # seconds; each file is refused in well under a second on an idle machine
LIMITS = roster.RosterLimits()
TOO_MANY_COLUMNS = roster.ERROR_TOO_MANY_COLUMNS % {"column": "XFD", "limit": 64}
SHARED_STRINGS_TOO_LARGE = roster.ERROR_XLSX_PART_TOO_LARGE % {
    "part": "xl/sharedStrings.xml",
    "size": "188.0",  # 194 blocks of 1,016,000 bytes
    "limit": "50.0",
}


@pytest.fixture(scope="module")
def hostile():
    return {
        "last-column.xlsx": (last_column_workbook(), TOO_MANY_COLUMNS),
        "last-column-undeclared.xlsx": (last_column_workbook(declare_dimension=False), TOO_MANY_COLUMNS),
        "shared-strings.xlsx": (huge_shared_strings_workbook(), SHARED_STRINGS_TOO_LARGE),
    }


@pytest.fixture
def hr(db):
    client = Client(raise_request_exception=False)
    client.force_login(factories.user(email="ingrid@example.com", groups=[HR]))
    return client


def test_the_hostile_workbooks_are_small_on_the_wire(hostile):
    sizes = {name: len(content) for name, (content, _message) in hostile.items()}
    print(f"sizes: {sizes}")
    assert 800_000 < sizes["last-column.xlsx"] < 1_100_000
    assert sizes["shared-strings.xlsx"] < 1_000_000


@pytest.mark.parametrize("name", ["last-column.xlsx", "last-column-undeclared.xlsx", "shared-strings.xlsx"])
def test_import_roster_refuses_hostile_workbooks_quickly(hostile, tmp_path, name):
    content, message = hostile[name]
    path = tmp_path / name
    path.write_bytes(content)
    before, stderr = snapshot(), io.StringIO()
    started = time.perf_counter()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), stderr=stderr)
    took = time.perf_counter() - started
    print(f"import_roster {name}: refused in {took:.3f} s")
    assert stderr.getvalue().splitlines() == [f"row 1, column file: {message}"]
    assert took < QUICK
    assert snapshot() == before


@pytest.mark.parametrize("name", ["last-column.xlsx", "last-column-undeclared.xlsx", "shared-strings.xlsx"])
def test_admin_upload_refuses_hostile_workbooks_quickly(hostile, hr, name):
    content, message = hostile[name]
    before = snapshot()
    started = time.perf_counter()
    response = hr.post(reverse("roster_import:upload"), {"file": SimpleUploadedFile(name, content)})
    took = time.perf_counter() - started
    print(f"admin upload {name}: refused in {took:.3f} s")
    assert response.status_code == 200
    assert [str(error) for error in response.context["result"].errors] == [f"row 1, column file: {message}"]
    assert message in response.content.decode()
    assert took < QUICK
    assert snapshot() == before
    assert not RosterUpload.objects.exists() and ROSTER_SESSION_KEY not in hr.session


def _errors(path) -> list[str]:
    return [str(error) for error in roster.roster_import(source=path, dry_run=True).errors]


def test_rows_beyond_the_limit_are_refused_in_both_formats(settings, tmp_path):
    settings.ATTEST_ROSTER_MAX_ROWS = 4
    message = roster.ERROR_TOO_MANY_ROWS % {"row": "6", "limit": "4"}
    assert _errors(write_csv(tmp_path / "r.csv", team(4))) == []
    assert _errors(write_csv(tmp_path / "r.csv", team(5))) == [f"row 1, column file: {message}"]
    assert _errors(write_xlsx(tmp_path / "r.xlsx", team(5))) == [f"row 1, column file: {message}"]


def test_an_undeclared_sheet_is_checked_while_it_streams(settings, tmp_path):
    """A sheet without a <dimension> (or one that understates it) is stopped at the first row,
    column or cell past a limit."""
    header = "".join(
        f'<c r="{get_column_letter(n)}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for n, name in enumerate(roster.COLUMNS, start=1)
    )
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 12))
    path = tmp_path / "r.xlsx"
    sheet = f'<worksheet {NS}><sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
    path.write_bytes(workbook_with_sheet(sheet.encode()))
    settings.ATTEST_ROSTER_MAX_ROWS = 5
    assert _errors(path) == [f"row 1, column file: {roster.ERROR_TOO_MANY_ROWS % {'row': '7', 'limit': '5'}}"]
    settings.ATTEST_ROSTER_MAX_ROWS, settings.ATTEST_ROSTER_MAX_CELLS = 100, 10
    assert _errors(path) == [f"row 1, column file: {roster.ERROR_TOO_MANY_CELLS % {'limit': '10'}}"]


def test_declared_dimensions_are_refused_before_reading_rows(settings, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", team(5))  # A1:K6 declared
    settings.ATTEST_ROSTER_MAX_COLUMNS = 10
    assert _errors(path) == [f"row 1, column file: {roster.ERROR_TOO_MANY_COLUMNS % {'column': 'K', 'limit': 10}}"]
    settings.ATTEST_ROSTER_MAX_COLUMNS, settings.ATTEST_ROSTER_MAX_CELLS = 64, 65
    assert _errors(path) == [f"row 1, column file: {roster.ERROR_TOO_MANY_CELLS % {'limit': '65'}}"]
    settings.ATTEST_ROSTER_MAX_CELLS = 66
    assert _errors(path) == []


def test_the_default_limits_admit_the_largest_roster():
    assert (LIMITS.rows, LIMITS.columns, LIMITS.cells) == (200_000, 64, 5_000_000)
    assert LIMITS.rows * len(roster.COLUMNS) < LIMITS.cells


# --- Staging -----------------------------------------------------------------------------------


def _stage(by, content=b"employee_id\n"):
    return roster.roster_upload_stage(
        upload=ContentFile(content, name="roster.csv"), by=by, deactivate_missing=False, send_invitations=True
    )


def test_a_staged_upload_is_taken_once_and_only_by_its_uploader():
    ingrid, other = factories.user(groups=[HR]), factories.user(groups=[HR])
    staged = _stage(ingrid, b"employee_id,email\n")
    assert staged.sha256 == hashlib.sha256(b"employee_id,email\n").hexdigest()
    assert roster.roster_upload_take(token=staged.token, by=other) is None
    taken = roster.roster_upload_take(token=staged.token, by=ingrid)
    assert taken.content == b"employee_id,email\n" and taken.file_name == "roster.csv"
    assert roster.roster_upload_take(token=staged.token, by=ingrid) is None
    assert not RosterUpload.objects.exists()


def test_a_staged_upload_that_no_longer_matches_its_checksum_is_refused():
    ingrid = factories.user(groups=[HR])
    staged = _stage(ingrid)
    RosterUpload.objects.filter(pk=staged.pk).update(content=b"employee_id,email\nX,evil@example.com\n")
    assert roster.roster_upload_take(token=staged.token, by=ingrid) is None


def test_abandoned_uploads_are_purged_by_the_command(settings):
    settings.ATTEST_ROSTER_UPLOAD_MAX_AGE_HOURS = 24
    ingrid = factories.user(groups=[HR])
    old, fresh = _stage(ingrid), _stage(ingrid)
    RosterUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert roster.roster_upload_take(token=old.token, by=ingrid) is None  # expired, even before the purge
    stdout = io.StringIO()
    call_command("purge_roster_uploads", stdout=stdout)
    assert stdout.getvalue().strip() == "1 abandoned roster upload deleted."
    assert list(RosterUpload.objects.values_list("token", flat=True)) == [fresh.token]
