"""In a real browser: an employee declines to sign with a reason, HR answers in the admin, the
employee reads the answer and then signs."""

import os

import pytest
from django.core import mail

from attest.declines.models import Decline
from attest.declines.services import ERROR_REASON, ERROR_TEXT
from attest.models import Attestation
from cms.roles import HR
from tests import factories
from tests.e2e.helpers import assert_accessible, read_and_pass, sign_attestation, sign_in

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORDS = "Chapter two forbids any mention of my employer, even on a CV site."
ANSWER = "A CV that names your job is fine; the chapter is about speaking for the company."


def test_employee_declines_hr_answers_and_the_employee_signs(browser, live_server):
    version = factories.release(factories.published_policy())
    tom = factories.employee("Tom", "Trainee", email="tom@example.com")
    assignment = factories.assignment(tom, version)
    factories.user(email="ingrid@example.com", groups=[HR], first_name="Ingrid")
    mail.outbox.clear()  # the legal review's notifications

    employee = browser.new_context(base_url=live_server.url).new_page()
    employee.set_default_timeout(30_000)
    sign_in(employee, tom.email, factories.PASSWORD)
    employee.goto(f"/training/{assignment.pk}/")
    employee.click("text=Next: Chapter one")
    read_and_pass(employee, tom.user)
    employee.click("text=Next: Chapter two")
    read_and_pass(employee, tom.user)
    employee.click("text=Sign the attestation")
    employee.click("#decline summary")
    assert_accessible(employee)
    employee.click(".decline-form button[type=submit]")
    errors = employee.inner_text(".decline-form")
    assert str(ERROR_REASON) in errors and str(ERROR_TEXT) in errors
    employee.check("text=I disagree with part of the policy")
    employee.select_option("select[name=chapter]", label="Chapter two")
    employee.fill("textarea[name=text]", WORDS)
    employee.click(".decline-form button[type=submit]")
    employee.wait_for_load_state()
    assert "HR has been told" in employee.inner_text(".messages")
    assert "Waiting for a response from HR" in employee.inner_text("#declines")
    assert "Declined" in employee.inner_text(".meta")
    assert_accessible(employee)
    assert [message.to for message in mail.outbox] == [["ingrid@example.com"]]

    hr = browser.new_context(base_url=live_server.url).new_page()
    hr.set_default_timeout(30_000)
    sign_in(hr, "ingrid@example.com", factories.PASSWORD)
    hr.goto("/admin/declines/")
    hr.get_by_role("link", name="Tom Trainee").first.click()
    hr.wait_for_load_state()
    assert WORDS in hr.inner_text("#decline-text")
    hr.fill("textarea[name=response]", ANSWER)
    hr.click("main form button[type=submit]")
    hr.wait_for_load_state()
    assert ANSWER in hr.inner_text("#decline-response")
    assert mail.outbox[-1].to == ["tom@example.com"] and ANSWER in mail.outbox[-1].body

    employee.reload()
    assert ANSWER in employee.inner_text("#declines")
    employee.click("text=Sign the attestation")
    sign_attestation(employee, "Tom Trainee", factories.PASSWORD)
    employee.wait_for_load_state()
    assert "Your attestation is recorded" in employee.inner_text(".messages")
    assert Attestation.objects.filter(employee=tom).count() == 1
    assert Decline.objects.get().response == ANSWER
    employee.context.close()
    hr.context.close()
