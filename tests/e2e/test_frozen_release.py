"""In a real browser: an editor who posts the edit form over a released revision is refused with
a message, and an employee who fails a quiz is told what to re-read, not the answers."""

import pytest

from tests import factories
from tests.e2e.helpers import answer_quiz, assert_accessible, sign_in
from training.models import ERROR_REVISION_PROTECTED, ChapterPage, PolicyVersionChapter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_editor_cannot_overwrite_the_released_revision(page):
    version = factories.release(factories.published_policy())
    chapter = ChapterPage.objects.get(slug="one")
    released = PolicyVersionChapter.objects.get(version=version, slug="one").revision
    assert chapter.latest_revision_id == released.pk

    sign_in(page, released.user.email, factories.PASSWORD)
    page.goto(f"/admin/pages/{chapter.pk}/edit/")
    page.fill("#id_intro", "Quietly rewritten after release.")
    page.evaluate(
        """(id) => {
            const input = document.createElement('input');
            input.type = 'hidden'; input.name = 'overwrite_revision_id'; input.value = id;
            document.getElementById('page-edit-form').appendChild(input);
        }""",
        str(released.pk),
    )
    page.click("button[type=submit]:has-text('Save draft')")
    page.wait_for_load_state()

    assert str(ERROR_REVISION_PROTECTED) in page.inner_text(".messages")
    released.refresh_from_db()
    assert released.content["intro"] == "About one."
    assert PolicyVersionChapter.objects.get(version=version, slug="one").content["intro"] == "About one."


def test_a_failed_quiz_shows_what_to_reread_not_the_answers(page):
    version = factories.release(factories.published_policy())
    noah = factories.employee("Noah", "Clarke")
    factories.assignment(noah, version)

    sign_in(page, noah.email, factories.PASSWORD)
    page.click("text=Start: Chapter one")
    page.click("text=I have read this chapter")
    answer_quiz(page, noah.user, correct=False)

    assert "Not passed" in page.inner_text(".result")
    assert page.locator(".tag-correct, .review li.correct, .explanation, .feedback").count() == 0
    assert page.locator(".answered-wrong").count() == 2
    assert "Re-read “Chapter one”" in page.inner_text("main")
    assert_accessible(page)

    page.click("text=Try the quiz again")
    answer_quiz(page, noah.user)
    assert "result-pass" in page.get_attribute(".result", "class")
    assert page.locator(".explanation").count() == 2
