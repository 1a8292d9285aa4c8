"""In a real browser: the editor changed only the English text of a chapter; legal, releasing the
next version, is shown that Danish lags (with a diff of the English text), is refused until it
chooses, holds Danish back, and the Danish reader is not asked to sign the new version."""

import pytest

from attest.models import Assignment
from cms.roles import LEGAL_REVIEWERS
from tests import factories
from tests.e2e.helpers import sign_in
from training.models import ChapterPage, PolicyVersion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_RULE = "Filming in stores needs the site manager's written approval."
SUBMIT = "button[type=submit]:has-text('Create'), button[type=submit]:has-text('Save')"


def test_legal_meets_the_lagging_danish_text_and_holds_it_back(page):
    policy = factories.translated_policy(("da",))
    first = factories.release(policy)
    søren = factories.employee("Søren", "Ødegård", language="da", email="soren@example.com")
    factories.finished(factories.assignment(søren, first))
    chapter = ChapterPage.objects.get(locale__language_code="en", slug="who-may-speak")
    factories.edit_chapter(chapter, body=[*chapter.body.raw_data, {"type": "text", "value": f"<p>{NEW_RULE}</p>"}])
    legal = factories.user(groups=[LEGAL_REVIEWERS])

    sign_in(page, legal.email, factories.PASSWORD)
    page.goto("/admin/policy_versions/new/")
    page.select_option("#id_policy", str(policy.pk))
    page.fill("#id_number", "2.0")
    page.fill("#id_effective_date", "2026-12-01")
    page.fill("#id_key_changes", "Filming in stores needs written approval")
    page.check("#id_requires_reattestation")
    page.click(SUBMIT)
    page.wait_for_load_state()

    main = page.inner_text("main")
    assert "The Dansk text lags the original" in main and f"“{chapter.title}”" in main
    warning = page.locator("[data-lagging-language=da]")
    assert chapter.title in warning.inner_text()
    assert f"+{NEW_RULE}" in warning.locator("pre").inner_text(), "the diff of the English text"
    assert not PolicyVersion.objects.filter(number="2.0").exists()

    page.check("input[name=lagging_da][value=hold_back]")
    page.click(SUBMIT)
    page.wait_for_load_state()
    assert "Held back from this version" in page.inner_text("body")
    second = PolicyVersion.objects.get(number="2.0")
    assert second.held_back_languages == ["da"] and second.locale_codes == ["en"]

    page.context.clear_cookies()
    sign_in(page, søren.email, factories.PASSWORD)
    page.goto("/")
    assert not Assignment.objects.open().filter(employee=søren).exists()
    assert "2.0" not in page.inner_text("main")
