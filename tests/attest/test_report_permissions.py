"""Who may see which compliance figures (DESIGN §3 rule 5), on every page, chart, drill-down and
export: HR everyone; a manager only their direct and indirect reports; employees, policy
editors and anonymous visitors nothing."""

import csv
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.attest.factories import AS_OF, build_organisation

ADMIN_PAGES = [
    "/admin/compliance/",
    "/admin/compliance/people/",
    "/admin/compliance/people/?status=overdue",
    "/admin/compliance/quiz/",
    "/admin/compliance/chart/trend.svg",
    "/admin/compliance/export/csv/",
    "/admin/compliance/export/xlsx/",
    "/admin/compliance/export/pdf/",
]
TEAM_PAGES = [
    "/team/",
    "/team/people/",
    "/team/people/?status=overdue",
    "/team/chart/status-by-department.svg",
    "/team/export/csv/",
    "/team/export/xlsx/",
    "/team/export/pdf/",
]
EVERYONE = {"Cora Chief", "Mia Manager", "Rita Lead", "Sam Seller", "Tom Trainee", "Una Brand", "Vic Voice"}
MIAS_LINE = {"Rita Lead", "Sam Seller", "Tom Trainee"}

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def listed(response) -> set[str]:
    """The names in the people table of a drill-down page."""
    table = BeautifulSoup(response.content, "html.parser").find("table", class_="report-people")
    return {cell.get_text(strip=True) for cell in table.select("tbody th[scope=row]")} if table else set()


def csv_names(response) -> set[str]:
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    return {row[2] for row in rows[1:]}


@pytest.fixture(scope="module")
def org(django_db_blocker):
    with factories.kept_for_module(django_db_blocker):
        organisation = build_organisation()
        organisation.hr = factories.user(groups=[HR])
        organisation.editor = factories.user(groups=[POLICY_EDITORS])
        organisation.reviewer = factories.user(groups=[LEGAL_REVIEWERS])
        yield organisation


def get(client, url, **params):
    return client.get(url, {"as_of": AS_OF.isoformat(), **params})


def test_anonymous_visitors_are_sent_to_sign_in(org, client):
    for url in ADMIN_PAGES + TEAM_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login/" in response["Location"], (url, response["Location"])


def test_an_employee_without_reports_gets_nothing(org, client):
    client.force_login(org.people.tom.user)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Tom Trainee" not in body(response)
    for url in TEAM_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url


def test_policy_editors_and_reviewers_have_no_compliance_area(org, client):
    for account in (org.editor, org.reviewer):
        client.force_login(account)
        pages = client.get("/admin/pages/")
        assert pages.status_code == 200
        assert b"/admin/compliance/" not in pages.content  # no menu item
        for url in ADMIN_PAGES:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"] == "/admin/", url
        for url in TEAM_PAGES:
            assert client.get(url).status_code == 403, url


def test_hr_sees_everyone_everywhere(org, client):
    client.force_login(org.hr)
    assert b'"/admin/compliance/"' in get(client, "/admin/compliance/").content  # the menu item
    for url in ADMIN_PAGES:
        assert get(client, url).status_code == 200, url
    assert listed(get(client, "/admin/compliance/people/")) == EVERYONE
    assert csv_names(get(client, "/admin/compliance/export/csv/")) == EVERYONE
    workbook = openpyxl.load_workbook(io.BytesIO(body(get(client, "/admin/compliance/export/xlsx/"))))
    assert {row[2] for row in workbook["Detail"].iter_rows(min_row=2, values_only=True)} == EVERYONE
    # HR without reports of their own has no team page.
    assert get(client, "/team/").status_code == 403


def test_a_manager_sees_only_their_line(org, client):
    mia = org.people.mia
    client.force_login(mia.user)
    for url in TEAM_PAGES:
        assert get(client, url).status_code == 200, url
    for url in ADMIN_PAGES:
        assert get(client, url).status_code == 302, url
    dashboard = get(client, "/team/").content.decode()
    assert "Tom Trainee" in dashboard  # overdue, in her line through Rita
    assert "Cora Chief" not in dashboard and "Vic Voice" not in dashboard
    assert listed(get(client, "/team/people/")) == MIAS_LINE
    assert csv_names(get(client, "/team/export/csv/")) == MIAS_LINE
    workbook = openpyxl.load_workbook(io.BytesIO(body(get(client, "/team/export/xlsx/"))))
    assert {row[2] for row in workbook["Detail"].iter_rows(min_row=2, values_only=True)} == MIAS_LINE
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(get(client, "/team/export/pdf/")))).pages)
    assert "Tom Trainee" in pdf and "Cora Chief" not in pdf and "Vic Voice" not in pdf
    assert "Direct and indirect reports of Mia Manager" in pdf


def test_a_manager_cannot_widen_the_scope_with_parameters(org, client):
    client.force_login(org.people.mia.user)
    una = org.people.una
    for params in (
        {"dimension": "manager", "key": str(una.pk)},
        {"department": "Marketing"},
        {"dimension": "department", "key": "Marketing"},
        {"line_of": str(org.people.cora.pk)},
        {"employee_ids": str(org.people.vic.pk)},
    ):
        names = csv_names(get(client, "/team/export/csv/", **params))
        assert names <= MIAS_LINE, params
        response = get(client, "/team/people/", **params)
        assert listed(response) <= MIAS_LINE, params
        assert "Una Brand" not in response.content.decode(), params


def test_a_manager_of_one_sees_one(org, client):
    client.force_login(org.people.rita.user)
    assert csv_names(get(client, "/team/export/csv/")) == {"Tom Trainee"}
    chart = get(client, "/team/chart/trend.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    assert b"<svg" in chart.content
