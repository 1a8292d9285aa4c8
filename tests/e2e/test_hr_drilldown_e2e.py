"""HR and editors in a real browser: the drill-down at 1280 px (filters in the title, one cleared,
reminders to a selection through a real SMTP server, bulk exemption, a name opening the
employee's history), Exempt from the assignment's own page, and the release form's changes."""

import datetime
import os

import pytest
from django.utils import timezone

from attest.models import Assignment
from cms.roles import HR, LEGAL_REVIEWERS, POLICY_EDITORS
from tests import factories
from tests.e2e.helpers import assert_accessible, sign_in
from tests.e2e.test_reminder_email_e2e import smtp_server  # noqa: F401 - a fixture
from training.models import ChapterPage

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 800}


def organisation():
    version = factories.release(factories.published_policy())
    requirement = factories.requirement(version.policy, name="Onboarding")
    past = timezone.localdate() - datetime.timedelta(days=5)
    people = {}
    for first, last, location in [
        ("Tom", "Trainee", "Oslo"),
        ("Tilde", "Tangen", "Oslo"),
        ("Sam", "Seller", "London"),
    ]:
        person = factories.employee(first, last, department="Retail", location=location)
        people[first] = factories.assignment(person, version, requirement, due_on=past)
    return version, people


def test_hr_works_through_the_drill_down_at_1280_px(browser, live_server, smtp_server, settings):  # noqa: F811
    _version, people = organisation()
    hr = factories.user(email="ingrid@example.com", groups=[HR])
    mailbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    page = browser.new_context(base_url=live_server.url, viewport=DESKTOP).new_page()
    sign_in(page, hr.email, factories.PASSWORD)
    page.goto("/admin/compliance/people/?status=overdue&department=Retail&location=Oslo")
    assert page.locator("h1").inner_text().startswith("Overdue assignments — Retail, Oslo")
    assert "All assignments" not in page.inner_text("main")
    overflow = page.evaluate(
        "() => { const t = document.querySelector('table.report-people');"
        " return [document.documentElement.scrollWidth, t.scrollWidth, t.parentElement.clientWidth]; }"
    )
    assert overflow[0] <= DESKTOP["width"] and overflow[1] <= overflow[2], overflow
    assert_accessible(page)

    page.get_by_role("link", name="Clear the filter Location").click()
    page.wait_for_url("**department=Retail**")
    assert page.locator("h1").inner_text().startswith("Overdue assignments — Retail")
    assert page.locator("table.report-people tbody th[scope=row]").count() == 3

    page.get_by_label("Choose Tom Trainee, Onboarding").check()
    page.get_by_label("Choose Tilde Tangen, Onboarding").check()
    page.locator("[data-bulk-remind]").click()
    assert "2 reminders sent." in page.inner_text(".messages")
    assert sorted(message["To"] for message in mailbox.messages) == sorted(
        [people["Tom"].employee.email, people["Tilde"].employee.email]
    )

    row = page.locator("table.report-people tbody tr", has_text="Tom Trainee")
    row.get_by_role("button", name="Remind").click()
    assert "1 reminder not sent: already emailed today (1)." in page.inner_text(".messages")
    assert len(mailbox.messages) == 2

    page.get_by_label("Choose Sam Seller, Onboarding").check()
    page.locator("[data-bulk-exempt]").click()
    page.wait_for_url("**/compliance/exempt/")
    assert "Sam Seller" in page.inner_text("main table")
    page.fill("textarea[name=reason]", "Moved to a role without social media")
    page.get_by_role("button", name="Exempt these assignments").click()
    assert "1 assignment exempted." in page.inner_text(".messages")
    assert Assignment.objects.get(pk=people["Sam"].pk).exemption_reason == "Moved to a role without social media"

    page.get_by_role("link", name="Tom Trainee").click()
    page.wait_for_url(f"**/admin/employees/edit/{people['Tom'].employee_id}/")
    history = page.locator("#training-history")
    assert "Onboarding" in history.inner_text() and "Overdue" in history.inner_text()


def test_hr_exempts_from_the_assignments_own_page(page, live_server):
    _version, people = organisation()
    hr = factories.user(email="ingrid@example.com", groups=[HR])
    sign_in(page, hr.email, factories.PASSWORD)
    page.goto(f"/admin/assignments/inspect/{people['Tom'].pk}/")
    page.locator("[data-exempt-button]").click()
    page.fill("[name=reason]", "Long-term leave")
    page.locator("main form button[type=submit]").first.click()
    assert "is exempt from" in page.inner_text(".messages")
    page.goto(f"/admin/assignments/inspect/{people['Tom'].pk}/")
    assert page.locator("[data-exempt-button]").count() == 0


def test_legal_sees_what_a_release_changes_and_editors_start_at_the_policy(page, live_server):
    policy = factories.published_policy()
    factories.release(policy)
    factories.edit_chapter(ChapterPage.objects.get(slug="two"), intro="Ask before you post about a colleague.")
    reviewer = factories.user(email="claire@example.com", groups=[LEGAL_REVIEWERS])
    sign_in(page, reviewer.email, factories.PASSWORD)
    page.goto("/admin/policy_versions/new/")
    changes = page.locator("[data-release-changes]")
    diff = changes.locator("details.release-chapter pre")
    assert not diff.is_visible(), "collapsed per chapter"
    changes.locator("details.release-chapter summary").click()
    assert "+Ask before you post about a colleague." in diff.inner_text()
    assert changes.locator("[data-unchanged-chapters] li").all_inner_texts() == ["Chapter one", "Chapter team"]

    page.context.clear_cookies()
    editor = factories.user(email="oliver@example.com", groups=[POLICY_EDITORS])
    sign_in(page, editor.email, factories.PASSWORD)
    page.goto("/admin/")
    page.get_by_role("button", name="Pages").click()
    titles = page.locator(".c-page-explorer__item__title")
    titles.first.wait_for()
    assert set(titles.all_inner_texts()) == {"Chapter one", "Chapter two", "Chapter team"}
