"""In a real browser: HR signs in, opens the Compliance dashboard from the admin menu, filters it,
drills down to the people behind a figure and downloads the export of that figure."""

import csv
import io
import os

import pytest

from cms.roles import HR
from tests import factories
from tests.attest.factories import AS_OF, build_organisation
from tests.e2e.helpers import sign_in
from training.models import PolicyPage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hr_filters_drills_down_and_exports(page):
    org = build_organisation()
    hr = factories.user(groups=[HR])
    PolicyPage.objects.filter(pk=org.policy.pk).update(owner_user=hr)

    sign_in(page, hr.email, factories.PASSWORD)
    page.goto("/admin/")
    page.get_by_role("link", name="Compliance").click()
    page.wait_for_url("**/admin/compliance/")

    page.select_option("#id_department", "Retail")
    page.fill("#id_as_of", AS_OF.isoformat())
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "department=Retail" in page.url
    assert page.inner_text("#completion-rate") == "50.0 %"  # Rita and Sam of four required
    assert page.inner_text("#overdue-rate") == "50.0 %"
    assert "Figures as of the end of" in page.inner_text("#as-of")
    trend = page.locator("#chart-trend img")
    trend.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#chart-trend img').naturalWidth > 0")
    assert "department=Retail" in trend.get_attribute("src")

    retail = page.locator("#breakdown-department tbody tr", has_text="Retail")
    retail.get_by_role("link").nth(2).click()  # the overdue count
    page.wait_for_load_state()
    people = page.locator("table.report-people tbody th[scope=row]").all_inner_texts()
    assert people == ["Tom Trainee", "Tom Trainee"]
    assert page.inner_text("h1") == "Overdue assignments — Retail, March 31, 2026"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert (
        download.suggested_filename
        == "compliance-report_as-of-2026-03-31_department-retail_dimension-department_key-retail_status-overdue.csv"
    )
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["full_name"], row["department"], row["status"]) for row in rows] == [
        ("Tom Trainee", "Retail", "overdue"),
        ("Tom Trainee", "Retail", "overdue"),
    ]
    assert sorted(row["days_overdue"] for row in rows) == ["16", "6"]
