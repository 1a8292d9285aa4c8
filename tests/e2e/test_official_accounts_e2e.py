"""In a real browser: HR sees a leaver who can still sign in to an official account, records that
the access was removed, then records an access review that drops a holder."""

import os

import pytest

from attest.models import AccessRemovalTask, AccessReview, AccountAccess, EmployeeStatus, OfficialAccount
from attest.official_accounts.models import AccessRole, Platform, SignInProtection
from attest.official_accounts.services import access_grant, account_save
from attest.roster import employee_sync
from cms.roles import HR
from tests import factories
from tests.e2e.helpers import assert_accessible, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_hr_records_a_leavers_access_removal_and_an_access_review(page):
    ingrid = factories.user(email="ingrid@example.com", groups=[HR])
    account = account_save(
        account=OfficialAccount(
            platform=Platform.X,
            handle="@northwind_no",
            url="https://x.com/northwind_no",
            department="Customer Service",
            country="Norge",
            language="nb",
            purpose="Kundeservice på norsk.",
            sign_in_protection=SignInProtection.SMS,
            credential_location="Password manager vault",
            review_every_months=6,
        )
    )
    thea = factories.employee("Thea", "Kristiansen", language="nb")
    nora = factories.employee("Nora", "Pedersen", language="nb")
    lars = factories.employee("Lars", "Haugen", language="nb")
    for person, role in ((thea, AccessRole.OWNER), (nora, AccessRole.RESPONDER), (lars, AccessRole.EDITOR)):
        access_grant(account=account, role=role, by=ingrid, employee=person)
    lars.status = EmployeeStatus.TERMINATED
    lars.save()
    employee_sync(employee=lars)

    sign_in(page, ingrid.email, factories.PASSWORD)
    page.goto("/admin/compliance/")
    assert "1 access-removal task is open" in page.inner_text("main")
    page.get_by_role("link", name="Leavers' access to remove").first.click()
    page.wait_for_load_state()
    row = page.locator("tr.removal-task")
    assert "Lars Haugen" in row.inner_text() and "X @northwind_no" in row.inner_text()
    assert_accessible(page)
    row.get_by_role("link", name="Record removal").click()
    page.wait_for_load_state()
    page.fill("textarea[name=note]", "Removed from X, SMS number changed")
    page.get_by_role("button", name="Record the removal").click()
    page.wait_for_load_state()
    assert "can no longer sign in to X @northwind_no" in page.inner_text("body")
    assert "Removed from X, SMS number changed" in page.inner_text("tr.removal-done")
    task = AccessRemovalTask.objects.get()
    assert task.done_by == ingrid and task.note == "Removed from X, SMS number changed"

    page.goto(f"/admin/official_accounts/access/{account.pk}/")
    assert "Lars Haugen" in page.inner_text("tr.former-holder")
    page.get_by_role("link", name="Record an access review").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Nora Pedersen (Responder)").uncheck()
    page.fill("textarea[name=note]", "Nora moved to the web shop team")
    page.get_by_role("button", name="Record the review").click()
    page.wait_for_load_state()
    assert "Review recorded: 1 confirmed, 1 removed." in page.inner_text("body")
    review = AccessReview.objects.get()
    assert [entry["holder"] for entry in review.kept] == ["Thea Kristiansen"]
    assert [entry["holder"] for entry in review.removed] == ["Nora Pedersen"]
    assert list(AccountAccess.objects.active().values_list("employee__first_name", flat=True)) == ["Thea"]
    account.refresh_from_db()
    assert account.last_reviewed_on is not None
