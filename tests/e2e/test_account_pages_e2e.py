"""The sign-in and password pages in a real browser, on a 390 px phone and a 1280 px desktop:
the product's look (full-width fields and buttons that fit), a way onwards from each page, and a
new person choosing their first password from the invitation link."""

import re

import pytest
from django.core import mail

from attest.reminders import invitations_send
from tests import factories
from tests.e2e.helpers import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def assert_fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "nothing scrolls sideways"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_sign_in_page_looks_like_the_product(page, viewport):
    page.set_viewport_size(viewport)
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator(".site-header .brand").is_visible()
    field = box(page, "input[name=login]")
    button = box(page, "main form button[type=submit]")
    assert field["height"] >= 40 and button["height"] >= 40, "inputs and buttons big enough to tap"
    assert field["width"] >= min(viewport["width"] - 60, 300)
    background = page.eval_on_selector("main form button[type=submit]", "b => getComputedStyle(b).backgroundColor")
    assert background == "rgb(29, 78, 137)", "the product's accent, not the browser's grey"
    if viewport is PHONE:
        assert button["width"] >= viewport["width"] - 60, "full-width button on a phone"
    assert_fits(page, viewport["width"])
    assert "sign up" not in page.inner_text("main").lower()
    assert page.get_by_role("link", name="Forgot your password?").is_visible()
    assert_accessible(page)

    page.goto("/accounts/signup/")
    assert page.url.endswith("/accounts/login/")
    assert "Accounts are created by HR" in page.inner_text(".messages")


def test_new_person_chooses_a_password_from_the_invitation_and_signs_in(page, live_server, settings):
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    page.set_viewport_size(PHONE)
    noah = factories.employee("Noah", "Clarke")
    noah.user.set_unusable_password()
    noah.user.save()
    mail.outbox.clear()
    invitations_send(employee_ids=[noah.pk])
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)

    page.goto(link)
    assert page.locator("h1").inner_text() == "Choose your password"
    assert_fits(page, PHONE["width"])
    assert_accessible(page)
    page.fill("input[name=password1]", "a-long-new-password-2026")
    page.fill("input[name=password2]", "a-long-new-password-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your password is saved"
    assert_accessible(page)
    page.click("main a.button:has-text('Sign in')")
    page.fill("input[name=login]", noah.email)
    page.fill("input[name=password]", "a-long-new-password-2026")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My training"
    assert "Welcome, Noah. You are signed in." in page.inner_text(".messages")


def test_forgotten_password_page_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    assert page.locator("h1").inner_text() == "Forgot your password?"
    assert_fits(page, PHONE["width"])
    assert_accessible(page)
    page.fill("input[name=email]", "someone@example.com")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your email"
    assert page.get_by_role("link", name="Back to sign-in").is_visible()
