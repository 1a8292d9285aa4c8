"""No dead ends, in a real browser: a learner locked out of a quiz is warned, told what happens,
and HR gives them another go; a signed version stays readable on the transcript; a manager on a
phone finds their team page and nudges the overdue."""

import pytest
from django.conf import settings

from cms.roles import HR
from tests import factories
from tests.e2e.helpers import answer_quiz, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_locked_out_learner_gets_more_attempts_from_hr(browser, live_server):
    spec = factories.policy_spec(
        chapters=[factories.chapter_spec("limited", questions=2, attempt_limit=2, pass_mark=100)]
    )
    version = factories.release(factories.published_policy(spec))
    emma = factories.employee()
    assignment = factories.assignment(emma, version)
    hr = factories.user(email="ingrid@example.com", groups=[HR])

    learner = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, emma.email, factories.PASSWORD)
    learner.goto(f"/training/{assignment.pk}/chapters/limited/")
    learner.click(".chapter-done button[type=submit]")
    assert "last attempt" not in learner.inner_text("main")
    answer_quiz(learner, emma.user, correct=False)
    learner.click("text=Try the quiz again (last attempt)")
    assert "This is your last attempt at this quiz." in learner.inner_text("[role=alert]")
    answer_quiz(learner, emma.user, correct=False)
    assert "HR has been told" in learner.inner_text("main")
    assert learner.locator("text=Try the quiz again").count() == 0

    admin = browser.new_context(base_url=live_server.url).new_page()
    sign_in(admin, hr.email, factories.PASSWORD)
    admin.goto("/admin/compliance/people/?status=open")
    assert "needs HR" in admin.inner_text("table.report-people")
    admin.goto("/admin/assignments/")
    url = f"/admin/assignments/{assignment.pk}/quiz-attempts/"
    admin.locator("button[aria-label^='More options for']").first.click()
    admin.locator(f"a[href='{url}']").click()
    admin.wait_for_url(f"**{url}")
    assert "Needs HR" in admin.inner_text("main")
    admin.fill("input[name=reason]", "Asked by phone")
    admin.click("main form button[type=submit]")
    assert "can take the quiz again" in admin.inner_text(".messages")

    learner.goto(f"/training/{assignment.pk}/chapters/limited/quiz/")
    assert "Attempt 3 of 4" in learner.inner_text("main")
    answer_quiz(learner, emma.user)
    assert "Passed" in learner.inner_text(".result")


PHONE = {"width": 390, "height": 844}


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_manager_on_a_phone_finds_the_team_page_and_reminds_the_overdue(browser, live_server):
    from attest.models import ReminderLog
    from tests.attest.factories import build_organisation

    org = build_organisation()
    mia = org.people.mia
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    # Mia's HR record says Norwegian; she has chosen English, so the page keeps her choice.
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    phone = context.new_page()
    sign_in(phone, mia.email, factories.PASSWORD)
    assert page_width(phone) <= 390
    phone.get_by_role("link", name="My team").click()
    phone.wait_for_url("**/team/")
    assert page_width(phone) <= 390, page_width(phone)
    trend_weeks = phone.locator("#trend-heading ~ table tbody tr").count()
    assert 0 < trend_weeks <= 10

    overdue = phone.locator("#overdue-heading ~ table tbody tr", has_text="Tom Trainee")
    overdue.get_by_role("button", name="Remind Tom Trainee").click()
    phone.wait_for_url("**/team/")
    assert "Reminder sent to 1 person." in phone.inner_text(".messages")
    assert ReminderLog.objects.filter(employee=org.people.tom, dedupe_key__startswith="nudge:").count() == 1
    phone.get_by_role("button", name="Remind everyone overdue").click()
    phone.wait_for_url("**/team/")
    assert "Reminder sent to 1 person." in phone.inner_text(".messages")  # Rita; Tom was reminded today
    reminded = ReminderLog.objects.filter(dedupe_key__startswith="nudge:").values_list(
        "employee__first_name", flat=True
    )
    assert sorted(reminded) == ["Rita", "Tom"]
    phone.get_by_role("button", name="Remind everyone overdue").click()
    phone.wait_for_url("**/team/")
    assert "already reminded today" in phone.inner_text(".messages")

    phone.goto("/team/people/?status=all")
    assert page_width(phone) <= 390, page_width(phone)


def test_employee_rereads_what_they_signed_from_the_transcript(browser, live_server):
    version = factories.release(factories.published_policy())
    emma = factories.employee()
    done = factories.finished(factories.assignment(emma, version))
    page = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    sign_in(page, emma.email, factories.PASSWORD)
    page.get_by_role("link", name="Your transcript: everything you have signed").click()
    page.wait_for_url("**/training/transcript/")
    assert "Version 1.0" in page.inner_text(".transcript")
    assert page.locator(f"a[href$='{done.attestation.verification_code}.pdf']").count() == 1
    page.get_by_role("link", name="Read the text you signed").click()
    page.get_by_role("link", name="Chapter one").click()
    assert "Text of one." in page.inner_text("article")
    assert "exactly as you signed it" in page.inner_text(".notice")
    assert page.locator(".chapter-done").count() == 0
    assert page_width(page) <= 390
