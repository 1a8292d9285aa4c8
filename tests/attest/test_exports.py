"""Exports: exact columns, as-of and filters stated, formula injection kept as text, Excel sheets
and cell types, the PDF's text, and the ``compliance_report`` command."""

import csv
import datetime
import io
import re
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader

from attest import exports, reports
from attest.forms import reports as forms_reports
from attest.management.commands import compliance_report
from cms.roles import HR
from tests import factories
from tests.attest.factories import AS_OF, build_organisation

HOSTILE = {
    "full": '=HYPERLINK("http://x","y")',
    "plus": "+1",
    "minus": "-2",
    "at": "@SUM(A1)",
    "tab": "\tTabbed",
    "cr": "\rReturned",
    "wide": "\uff1d1+2",
}


def csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


TODAY = reports.ReportFilters()

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def org(django_db_blocker):
    """The hand-built organisation and an HR user, shared by the module's tests (each runs in its
    own savepoint)."""
    with factories.kept_for_module(django_db_blocker):
        organisation = build_organisation()
        organisation.hr = factories.user(groups=[HR])
        yield organisation


# --- Exports ----------------------------------------------------------------------------------


@pytest.fixture
def extras(org):
    """Someone whose name, department, place and requirement try to be formulas, and Søren, who
    signed, with control characters in his."""
    policy, version = org.policy, org.version
    hostile = factories.employee(
        HOSTILE["full"],
        "Smith",
        email="hostile@example.com",
        department=HOSTILE["plus"],
        location=HOSTILE["minus"],
        manager=org.people.una,
    )
    requirement = factories.requirement(policy, name=HOSTILE["at"])
    factories.assignment(hostile, version, requirement, due_on=datetime.date(2026, 3, 1))
    soren = factories.employee("Søren", "Ødegård", department=HOSTILE["tab"], location=HOSTILE["cr"])
    signed = factories.assignment(
        soren, version, factories.requirement(policy, name=HOSTILE["wide"]), due_on=datetime.date(2030, 1, 1)
    )
    factories.finished(signed)
    signed.refresh_from_db()
    return SimpleNamespace(hostile=hostile, requirement=requirement, soren=soren, signed=signed)


def csv_export(filters, selection=None) -> list[list[str]]:
    return csv_rows(b"".join(exports.csv_stream(exports.ExportRequest(filters=filters, selection=selection))))


def test_csv_has_exactly_the_columns_and_one_row_per_assignment(extras):
    rows = csv_export(reports.ReportFilters(as_of=AS_OF))
    assert rows[0] == list(reports.COLUMNS)
    assert len(rows) == 1 + 10  # the eight of the hand-built organisation, the hostile one and Søren
    tom = next(row for row in rows if row[2] == "Tom Trainee" and row[8] == "Onboarding")
    record = dict(zip(reports.COLUMNS, tom, strict=True))
    assert record["status"] == "overdue"
    assert record["days_overdue"] == "16"
    assert record["due_on"] == "2026-03-15"
    assert record["completed_at"] == ""


def test_csv_values_of_a_signed_assignment(extras):
    rows = csv_export(TODAY)
    record = dict(zip(reports.COLUMNS, next(row for row in rows if row[1] == extras.soren.email), strict=True))
    completed = extras.signed.completed_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert record["status"] == "completed"
    assert record["completed_at"] == completed
    assert record["quiz_score"] == "100"
    assert record["attestation_id"] == str(extras.signed.attestation_id)
    assert record["full_name"] == "Søren Ødegård"


def test_csv_cells_cannot_become_formulas(extras):
    rows = csv_export(TODAY)
    hostile = dict(zip(reports.COLUMNS, next(row for row in rows if row[1] == extras.hostile.email), strict=True))
    assert hostile["full_name"] == "'" + HOSTILE["full"] + " Smith"
    assert hostile["department"] == "'+1"
    assert hostile["location"] == "'-2"
    assert hostile["requirement"] == "'@SUM(A1)"
    soren = dict(zip(reports.COLUMNS, next(row for row in rows if row[1] == extras.soren.email), strict=True))
    assert soren["department"] == "'\tTabbed"
    assert soren["location"] == "'\rReturned"
    assert soren["requirement"] == "'\uff1d1+2"
    for row in rows[1:]:
        for name, value in zip(reports.COLUMNS, row, strict=True):
            if name in reports.TEXT_COLUMNS and value:
                assert value[0] not in reports.FORMULA_PREFIXES, (name, value)


def test_csv_of_one_figure(org):
    rows = csv_export(
        reports.ReportFilters(as_of=AS_OF),
        reports.Selection(dimension="department", key="Retail", status="overdue"),
    )
    assert [row[2] for row in rows[1:]] == ["Tom Trainee", "Tom Trainee"]


def test_csv_states_as_of_and_filters_in_name_and_headers(org):
    export = exports.ExportRequest(filters=reports.ReportFilters(as_of=AS_OF, department="Retail"))
    assert export.filename("csv") == "compliance-report_as-of-2026-03-31_department-retail.csv"
    headers = export.headers()
    assert headers["X-Report-As-Of"] == "2026-03-31"
    assert headers["X-Report-Filters"] == "department=Retail"


def workbook_export(filters, selection=None):
    buffer = io.BytesIO()
    exports.xlsx_write(exports.ExportRequest(filters=filters, selection=selection, scope_label="Everyone"), buffer)
    buffer.seek(0)
    raw = buffer.getvalue()
    return openpyxl.load_workbook(io.BytesIO(raw)), raw


def test_xlsx_summary_states_as_of_filters_figures_and_breakdowns(org):
    workbook, _raw = workbook_export(reports.ReportFilters(as_of=AS_OF, department="Retail"))
    assert workbook.sheetnames == ["Summary", "Detail"]
    summary = [[cell for cell in row if cell is not None] for row in workbook["Summary"].iter_rows(values_only=True)]
    pairs = {row[0]: row[1] for row in summary if len(row) == 2}
    assert pairs["As of"] == "2026-03-31"
    assert pairs["Department"] == "Retail"
    assert pairs["People"] == "Everyone"
    assert pairs["Assignments"] == 5
    assert pairs["Overdue"] == 2
    assert pairs["Completion rate"] == pytest.approx(0.5)
    assert "Generated" in pairs and "Times are in" in pairs
    assert ["By department"] in summary and ["By manager"] in summary
    retail = next(row for row in summary if row and row[0] == "Retail" and len(row) > 2)
    assert retail[:3] == ["Retail", 5, 4]


def test_xlsx_detail_has_the_columns_and_real_types(extras):
    workbook, _raw = workbook_export(TODAY)
    detail = workbook["Detail"]
    assert [cell.value for cell in detail[1]] == list(reports.COLUMNS)
    rows = {row[1].value: row for row in detail.iter_rows(min_row=2)}
    soren = dict(zip(reports.COLUMNS, rows[extras.soren.email], strict=True))
    assert soren["assigned_on"].is_date and soren["assigned_on"].value == datetime.datetime(2026, 1, 1)
    assert soren["due_on"].value == datetime.datetime(2030, 1, 1)
    assert isinstance(soren["completed_at"].value, datetime.datetime)
    assert soren["completed_at"].number_format == 'yyyy-mm-dd hh:mm:ss "Europe/Oslo"', "local time, and says so"
    assert soren["completed_at"].value == timezone.localtime(extras.signed.completed_at).replace(
        tzinfo=None, microsecond=soren["completed_at"].value.microsecond
    )
    assert soren["quiz_score"].value == 100 and soren["quiz_score"].data_type == "n"
    assert soren["attestation_id"].value == extras.signed.attestation_id
    assert soren["status"].value == "completed"
    overdue = dict(zip(reports.COLUMNS, rows[extras.hostile.email], strict=True))
    assert isinstance(overdue["days_overdue"].value, int) and overdue["days_overdue"].value > 0


def test_xlsx_cells_cannot_become_formulas(extras):
    workbook, raw = workbook_export(TODAY)
    detail = workbook["Detail"]
    rows = {row[1].value: row for row in detail.iter_rows(min_row=2)}
    hostile = dict(zip(reports.COLUMNS, rows[extras.hostile.email], strict=True))
    assert hostile["full_name"].value == HOSTILE["full"] + " Smith"
    assert hostile["full_name"].data_type == "s"
    assert (hostile["department"].value, hostile["department"].data_type) == ("+1", "s")
    assert (hostile["location"].value, hostile["location"].data_type) == ("-2", "s")
    assert (hostile["requirement"].value, hostile["requirement"].data_type) == ("@SUM(A1)", "s")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def test_pdf_states_everything_and_repeats_the_header_on_every_page(org):
    extra = [factories.employee(f"Person{n:03d}", "Filler", department="Retail") for n in range(340)]
    for person in extra:
        factories.assignment(person, org.version, org.onboarding, due_on=datetime.date(2026, 3, 20))
    data = exports.pdf_bytes(
        exports.ExportRequest(filters=reports.ReportFilters(as_of=AS_OF, department="Retail"), scope_label="Everyone")
    )
    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    for expected in (
        "Compliance report",
        "As of",
        "2026-03-31",
        "Department",
        "Retail",
        "Headline figures",
        "Completion rate",
        "Completions per week against due dates",
        "Status by department",
        "By department",
        "By manager",
        "Overdue, longest first",
        "Tom Trainee",
        "Person339 Filler",
        "End of report: 345 rows.",
    ):
        assert expected in text, expected
    first_detail = next(n for n, page in enumerate(pages) if "Detail: one row per assignment" in page)
    detail_pages = [
        page.replace("_\n", "_").replace("\n_", "_") for page in pages[first_detail:] if re.search(r"E\d{5}", page)
    ]  # a header too wide for its column wraps inside its cell
    assert len(detail_pages) >= 2
    detail_text = "\n".join(pages[first_detail:])
    assert [n for n in range(340) if detail_text.count(f"Person{n:03d} Filler") != 1] == [], (
        "each row once, across tables"
    )
    for page in detail_pages:
        assert all(name in page for name in reports.COLUMNS), page
    assert all("as of 2026-03-31" in page for page in pages)
    assert any(len(page.images) for page in reader.pages)


def test_pdf_prints_every_name(extras):
    data = exports.pdf_bytes(exports.ExportRequest(filters=TODAY))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Søren Ødegård" in text


# --- The compliance_report command ---------------------------------------------------------------


def test_writes_each_format_with_the_filters(org, tmp_path):
    folder = tmp_path
    call_command(
        "compliance_report",
        format="csv",
        output=str(folder / "r.csv"),
        department="Retail",
        as_of="2026-03-31",
        stdout=io.StringIO(),
    )
    rows = csv_rows((folder / "r.csv").read_bytes())
    assert rows[0] == list(reports.COLUMNS)
    assert {row[3] for row in rows[1:]} == {"Retail"} and len(rows) == 6
    call_command(
        "compliance_report",
        format="xlsx",
        output=str(folder / "r.xlsx"),
        policy=org.policy.slug,
        as_of="2026-03-31",
        stdout=io.StringIO(),
    )
    workbook = openpyxl.load_workbook(folder / "r.xlsx")
    assert workbook["Detail"].max_row == 9
    out = io.StringIO()
    call_command(
        "compliance_report",
        "--format",
        "pdf",
        "--output",
        str(folder / "r.pdf"),
        "--as-of",
        "2026-03-31",
        stdout=out,
    )
    assert "8 rows written" in out.getvalue()
    assert "Tom Trainee" in "".join(page.extract_text() for page in PdfReader(folder / "r.pdf").pages)


def test_bad_arguments_are_explained(org, tmp_path):
    folder = tmp_path
    out = str(folder / "r.csv")
    cases = [
        ({"as_of": "31/03/2026"}, f"--as-of: {forms_reports.ERROR_DATE_FORMAT}"),
        ({"as_of": "2099-01-01"}, f"--as-of: {forms_reports.ERROR_AS_OF_FUTURE}"),
        (
            {"policy": "nope"},
            "--policy: " + forms_reports.ERROR_UNKNOWN_POLICY % {"value": "nope", "known": org.policy.slug},
        ),
        (
            {"department": "Nowhere"},
            "--department: "
            + forms_reports.ERROR_UNKNOWN_DEPARTMENT % {"value": "Nowhere", "known": "Executive, Marketing, Retail"},
        ),
    ]
    for options, message in cases:
        with pytest.raises(CommandError) as error:
            call_command("compliance_report", format="csv", output=out, stdout=io.StringIO(), **options)
        assert str(error.value) == message
    with pytest.raises(CommandError) as error:
        call_command("compliance_report", format="csv", output=str(folder / "missing" / "r.csv"), stdout=io.StringIO())
    assert str(error.value) == compliance_report.ERROR_OUTPUT_DIRECTORY % {"folder": folder / "missing"}
    with pytest.raises(CommandError):
        call_command("compliance_report", format="doc", output=out, stdout=io.StringIO())


# --- The export views ----------------------------------------------------------------------------


def test_every_format_downloads_with_the_filters_applied(org, client):
    client.force_login(org.hr)
    params = {"as_of": AS_OF.isoformat(), "department": "Marketing"}
    response = client.get("/admin/compliance/export/csv/", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="compliance-report_as-of-2026-03-31_department-marketing.csv"'
    )
    assert response["X-Report-As-Of"] == "2026-03-31"
    rows = csv_rows(b"".join(response.streaming_content))
    assert sorted(row[2] for row in rows[1:]) == ["Una Brand", "Vic Voice"]
    response = client.get("/admin/compliance/export/xlsx/", params)
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook["Detail"].max_row == 3
    response = client.get("/admin/compliance/export/pdf/", params)
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert "Vic Voice" in "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_invalid_filters_are_refused(org, client):
    client.force_login(org.hr)
    response = client.get("/admin/compliance/export/csv/", {"as_of": "2098-01-01"})
    assert response.status_code == 400
    assert response.content.decode() == str(exports_error_as_of_future())
    assert client.get("/admin/compliance/export/docx/").status_code == 404


def exports_error_as_of_future():
    from attest.forms.reports import ERROR_AS_OF_FUTURE

    return ERROR_AS_OF_FUTURE


# --- Wrapping in the PDF -------------------------------------------------------------------------


@pytest.fixture
def wide(org):
    """Long addresses and requirement names wrap inside their cell: nothing is cut with "…"."""
    manager = factories.employee(
        "Maximiliane",
        "Longname",
        email="maximiliane.wolfeschlegelsteinhausen-bergerdorff@subsidiary.northwind.example",
    )
    person = factories.employee(
        "Wendy",
        "Wide",
        email="wendy.wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww@mmmmmmmmmmmmmmmmmmm.example",
        manager=manager,
    )
    requirement = factories.requirement(
        org.policy, name="Annual social-media refresher for the official accounts team and their deputies"
    )
    factories.assignment(person, org.version, requirement, due_on=datetime.date(2026, 3, 1))
    return SimpleNamespace(person=person, requirement=requirement)


def test_long_emails_and_requirement_names_appear_whole(wide):
    data = exports.pdf_bytes(exports.ExportRequest(filters=reports.ReportFilters(as_of=AS_OF)))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    joined = re.sub(r"\s+", "", text)
    assert wide.person.email in joined
    assert wide.person.manager.email in joined
    assert re.sub(r"\s+", "", wide.requirement.name) in joined
    assert "…" not in text
