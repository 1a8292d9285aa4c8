"""Who may see which compliance figures (DESIGN §3 rule 5), on every page, chart, drill-down and
export: HR everyone; a manager only their direct and indirect reports; employees, policy
editors and anonymous visitors nothing."""

import csv
import io

import openpyxl
from bs4 import BeautifulSoup
from django.test import TestCase
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


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def listed(response) -> set[str]:
    """The names in the people table of a drill-down page."""
    table = BeautifulSoup(response.content, "html.parser").find("table", class_="report-people")
    return {cell.get_text(strip=True) for cell in table.select("tbody th[scope=row]")} if table else set()


def csv_names(response) -> set[str]:
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    return {row[2] for row in rows[1:]}


class ReportPermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_organisation()
        cls.hr = factories.user(groups=[HR])
        cls.editor = factories.user(groups=[POLICY_EDITORS])
        cls.reviewer = factories.user(groups=[LEGAL_REVIEWERS])
        cls.as_of = {"as_of": AS_OF.isoformat()}

    def get(self, url, **params):
        return self.client.get(url, {**self.as_of, **params})

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        for url in ADMIN_PAGES + TEAM_PAGES:
            response = self.client.get(url)
            assert response.status_code == 302, url
            assert "/login/" in response["Location"], (url, response["Location"])

    def test_an_employee_without_reports_gets_nothing(self):
        self.client.force_login(self.org.people.tom.user)
        for url in ADMIN_PAGES:
            response = self.client.get(url)
            assert response.status_code in (302, 403), url
            assert b"Tom Trainee" not in body(response)
        for url in TEAM_PAGES:
            response = self.client.get(url)
            assert response.status_code == 403, url

    def test_policy_editors_and_reviewers_have_no_compliance_area(self):
        for account in (self.editor, self.reviewer):
            self.client.force_login(account)
            pages = self.client.get("/admin/pages/")
            assert pages.status_code == 200
            assert b"/admin/compliance/" not in pages.content  # no menu item
            for url in ADMIN_PAGES:
                response = self.client.get(url)
                assert response.status_code == 302, url
                assert response["Location"] == "/admin/", url
            for url in TEAM_PAGES:
                assert self.client.get(url).status_code == 403, url

    def test_hr_sees_everyone_everywhere(self):
        self.client.force_login(self.hr)
        assert b'"/admin/compliance/"' in self.get("/admin/compliance/").content  # the menu item
        for url in ADMIN_PAGES:
            assert self.get(url).status_code == 200, url
        assert listed(self.get("/admin/compliance/people/")) == EVERYONE
        assert csv_names(self.get("/admin/compliance/export/csv/")) == EVERYONE
        workbook = openpyxl.load_workbook(io.BytesIO(body(self.get("/admin/compliance/export/xlsx/"))))
        assert {row[2] for row in workbook["Detail"].iter_rows(min_row=2, values_only=True)} == EVERYONE
        # HR without reports of their own has no team page.
        assert self.get("/team/").status_code == 403

    def test_a_manager_sees_only_their_line(self):
        mia = self.org.people.mia
        self.client.force_login(mia.user)
        for url in TEAM_PAGES:
            assert self.get(url).status_code == 200, url
        for url in ADMIN_PAGES:
            assert self.get(url).status_code == 302, url
        dashboard = self.get("/team/").content.decode()
        assert "Tom Trainee" in dashboard  # overdue, in her line through Rita
        assert "Cora Chief" not in dashboard and "Vic Voice" not in dashboard
        assert listed(self.get("/team/people/")) == MIAS_LINE
        assert csv_names(self.get("/team/export/csv/")) == MIAS_LINE
        workbook = openpyxl.load_workbook(io.BytesIO(body(self.get("/team/export/xlsx/"))))
        assert {row[2] for row in workbook["Detail"].iter_rows(min_row=2, values_only=True)} == MIAS_LINE
        pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body(self.get("/team/export/pdf/")))).pages)
        assert "Tom Trainee" in pdf and "Cora Chief" not in pdf and "Vic Voice" not in pdf
        assert "Direct and indirect reports of Mia Manager" in pdf

    def test_a_manager_cannot_widen_the_scope_with_parameters(self):
        self.client.force_login(self.org.people.mia.user)
        una = self.org.people.una
        for params in (
            {"dimension": "manager", "key": str(una.pk)},
            {"department": "Marketing"},
            {"dimension": "department", "key": "Marketing"},
            {"line_of": str(self.org.people.cora.pk)},
            {"employee_ids": str(self.org.people.vic.pk)},
        ):
            names = csv_names(self.get("/team/export/csv/", **params))
            assert names <= MIAS_LINE, params
            response = self.get("/team/people/", **params)
            assert listed(response) <= MIAS_LINE, params
            assert "Una Brand" not in response.content.decode(), params

    def test_a_manager_of_one_sees_one(self):
        self.client.force_login(self.org.people.rita.user)
        assert csv_names(self.get("/team/export/csv/")) == {"Tom Trainee"}
        chart = self.get("/team/chart/trend.svg")
        assert chart["Content-Type"] == "image/svg+xml"
        assert b"<svg" in chart.content
