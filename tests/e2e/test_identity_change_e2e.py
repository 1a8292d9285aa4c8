"""In a real browser: one HR person changes an employee's sign-in email and sees it pending
(they cannot approve it themselves); a second HR person signs in and approves it."""

import os

import pytest
from django.core import mail

from attest.models import Employee, IdentityChange, IdentityChangeOutcome
from cms.roles import HR
from tests import factories
from tests.e2e.helpers import sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_second_hr_person_approves_a_sign_in_email_change(browser, live_server):
    ingrid = factories.user(email="ingrid@example.com", groups=[HR])
    henrik = factories.user(email="henrik@example.com", groups=[HR])
    emma = factories.employee("Emma", "Wilson", email="emma@example.com")  # has a password: a used account

    first = browser.new_context(base_url=live_server.url).new_page()
    sign_in(first, ingrid.email, factories.PASSWORD)
    first.goto(f"/admin/employees/edit/{emma.pk}/")
    first.fill("#id_email", "emma.wilson@example.com")
    first.locator("#w-editor-form button[type=submit]").first.click()
    first.wait_for_load_state()
    assert "needs a second HR person's approval" in first.inner_text("body")
    first.goto("/admin/employees/")
    assert "emma.wilson@example.com" in first.inner_text("table")
    reference = IdentityChange.objects.get().reference
    first.goto("/admin/identity_changes/")
    first.get_by_role("link", name=reference).click()
    first.wait_for_load_state()
    assert first.locator("button[name=approve]").count() == 0
    assert "You asked for this change yourself" in first.inner_text("main")
    assert Employee.objects.get(pk=emma.pk).email == "emma@example.com"

    second = browser.new_context(base_url=live_server.url).new_page()
    sign_in(second, henrik.email, factories.PASSWORD)
    second.goto("/admin/identity_changes/")
    assert "emma.wilson@example.com" in second.inner_text("table")
    second.get_by_role("link", name=reference).click()
    second.wait_for_load_state()
    second.click("button[name=approve]")
    second.wait_for_url("**/admin/identity_changes/")
    assert "Approved: 1 sign-in email changed" in second.inner_text("body")

    assert Employee.objects.get(pk=emma.pk).email == "emma.wilson@example.com"
    assert IdentityChange.objects.get().outcome == IdentityChangeOutcome.APPROVED
    assert [message.to for message in mail.outbox] == [["emma@example.com"]]
    first.context.close()
    second.context.close()
