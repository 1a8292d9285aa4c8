"""In a real browser: an editor changes a chapter in Wagtail, legal approves it, legal releases a
version, and an employee reads the new text."""

import pytest

from tests import factories
from tests.e2e.helpers import sign_in
from training.models import ChapterPage, PolicyVersion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_out(page):
    page.context.clear_cookies()


def test_editor_edits_legal_approves_and_releases_employee_reads(page):
    policy = factories.published_policy()
    factories.release(policy)
    editor, reviewer = factories.editor_and_reviewer()
    emma = factories.employee("Emma", "Wilson")
    chapter = ChapterPage.objects.get(slug="one")

    sign_in(page, editor.email, factories.PASSWORD)
    page.goto(f"/admin/pages/{chapter.pk}/edit/")
    page.fill("#id_intro", "Only trained spokespeople answer customers in the company's name.")
    page.click(".w-dropdown--dropdown-button .w-dropdown__toggle")
    page.click("button[name=action-submit]")
    page.wait_for_load_state()
    assert "submitted" in page.inner_text(".messages").lower()
    assert not chapter.__class__.objects.get(pk=chapter.pk).intro.startswith("Only trained")

    sign_out(page)
    sign_in(page, reviewer.email, factories.PASSWORD)
    page.goto(f"/admin/pages/{chapter.pk}/edit/")
    page.click(".w-dropdown--dropdown-button .w-dropdown__toggle")
    page.click("button[data-workflow-action-url*='approve'], button:has-text('Approve')")
    page.wait_for_load_state()
    if page.locator("form[action*='workflow/action'] button[type=submit]").count():
        page.locator("form[action*='workflow/action'] button[type=submit]").first.click()
        page.wait_for_load_state()
    page.wait_for_function("() => !document.querySelector('.w-dialog[open], dialog[open]')", timeout=5000)
    assert ChapterPage.objects.get(pk=chapter.pk).intro.startswith("Only trained")

    page.goto("/admin/policy_versions/new/")
    page.select_option("#id_policy", str(policy.pk))
    page.fill("#id_number", "1.1")
    page.fill("#id_effective_date", "2026-12-01")
    page.fill("#id_key_changes", "Clearer introduction to who may speak")
    page.click("button[type=submit]:has-text('Create'), button[type=submit]:has-text('Save')")
    page.wait_for_load_state()
    assert PolicyVersion.objects.filter(number="1.1").exists()

    sign_out(page)
    sign_in(page, emma.email, factories.PASSWORD)
    page.goto("/social-media-policy/")
    assert "Version 1.1" in page.inner_text("main")
    page.click("text=Chapter one")
    assert "Only trained spokespeople answer customers" in page.inner_text("article")
