"""An employee's question travels the whole way: asked under the chapter in a real browser, the
policy owner answers and publishes it as an FAQ entry in the admin, the answer email arrives
through a real SMTP server and its link shows the employee the answer; a colleague sees only the
anonymous FAQ, beside the chapter and outside the signed text."""

import os
import re

import pytest

from tests import factories
from tests.e2e.helpers import assert_accessible, sign_in
from tests.e2e.test_reminder_email_e2e import smtp_server  # noqa: F401  (fixture)
from training.models import PolicyPage
from training.questions.models import ChapterQuestion, QuestionStatus

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTION = "Can I post photos from the warehouse on my own account?"
ANSWER = "Only of public areas, and never with customers or stock labels in the picture."
FAQ_EN = "May I post pictures taken at work?"


def test_employee_asks_owner_answers_and_publishes_colleague_reads_the_faq(
    browser,
    live_server,
    smtp_server,  # noqa: F811
    settings,
):
    mailbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.WAGTAILADMIN_BASE_URL = live_server.url
    policy = factories.published_policy()
    version = factories.release(policy)
    owner = factories.user(email="owner@example.com", groups=["Policy editors"], first_name="Olivia")
    PolicyPage.objects.filter(pk=policy.pk).update(owner_user=owner)
    emma = factories.employee("Emma", "Wilson")
    emma_assignment = factories.assignment(emma, version)
    noah = factories.employee("Noah", "Clarke")
    noah_assignment = factories.assignment(noah, version)

    def new_page():
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    # Emma asks under the chapter.
    page = new_page()
    sign_in(page, emma.email, factories.PASSWORD)
    page.goto(f"/training/{emma_assignment.pk}/chapters/one/")
    page.get_by_label("Your question").fill(QUESTION)
    assert_accessible(page)
    page.get_by_role("button", name="Send my question").click()
    page.wait_for_load_state()
    assert "Your question was sent to the policy owner" in page.content()
    assert page.locator("[data-my-question]").inner_text().count("Not answered yet") == 1
    [asked] = [m for m in mailbox.messages if m["To"] == owner.email]
    assert asked["Auto-Submitted"] == "auto-generated"

    # The owner answers and publishes in the admin.
    admin = new_page()
    sign_in(admin, owner.email, factories.PASSWORD)
    admin.goto("/admin/")
    admin.get_by_role("link", name="Questions").first.click()
    admin.wait_for_url("**/admin/questions/")
    admin.get_by_role("link", name=QUESTION).click()
    assert QUESTION in admin.locator("[data-question-text]").inner_text()
    admin.get_by_label("Answer").fill(ANSWER)
    admin.get_by_role("button", name="Save").click()
    admin.wait_for_url("**/admin/questions/")
    question = ChapterQuestion.objects.get()
    assert question.status == QuestionStatus.ANSWERED
    admin.goto(f"/admin/questions/edit/{question.pk}/")
    admin.get_by_role("link", name="Publish as FAQ").click()
    admin.get_by_label("Question (English)").fill(FAQ_EN)
    admin.get_by_label("Answer (English)").fill(ANSWER)
    for language in ("Français", "Español", "Dansk", "Norsk bokmål"):
        admin.get_by_label(f"Not available in {language}").check()
    admin.get_by_role("button", name="Publish as FAQ").click()
    admin.wait_for_url("**/admin/questions/")
    assert "Published as an FAQ entry" in admin.content()
    question.refresh_from_db()
    assert question.status == QuestionStatus.PUBLISHED

    # The answer email's link shows Emma the answer under the chapter.
    [answered] = [m for m in mailbox.messages if m["To"] == emma.email]
    assert answered["Auto-Submitted"] == "auto-generated"
    body = answered.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http://\S+#questions)", body).group(1)
    page.goto("/")  # the link differs from the open page only by its fragment
    page.goto(link)
    mine = page.locator("[data-my-question]").inner_text()
    assert QUESTION in mine and ANSWER in mine

    # Noah sees the anonymous FAQ beside the chapter, never Emma's question.
    other = new_page()
    sign_in(other, noah.email, factories.PASSWORD)
    other.goto(f"/training/{noah_assignment.pk}/chapters/one/")
    faq = other.locator("[data-faq]").inner_text()
    assert FAQ_EN in faq and ANSWER in faq and "not part of the policy text" in faq
    assert QUESTION not in other.content() and "Emma" not in faq
    assert FAQ_EN not in other.locator("article").inner_text()
    assert_accessible(other)
