"""Releasing a version freezes exactly the approved text; later edits prepare the next version."""

import pytest
from django.db import IntegrityError

from tests import factories
from training.blocks import ERROR_NO_CORRECT_OPTION, ERROR_ONE_CORRECT_OPTION, QuestionBlock
from training.hashing import chapter_sha256
from training.models import ERROR_PASS_MARK_RANGE, ChapterPage, PolicyVersion, PolicyVersionChapter
from training.services import (
    ERROR_RELEASE_IN_REVIEW,
    ERROR_RELEASE_NO_CHAPTERS,
    ERROR_RELEASE_NOT_APPROVED,
    ERROR_RELEASE_NUMBER_TAKEN,
    ReleaseError,
    version_release_plan,
)

pytestmark = pytest.mark.django_db


def test_release_freezes_every_chapter_revision_and_hash(policy):
    version = factories.release(policy)
    rows = list(PolicyVersionChapter.objects.filter(version=version).order_by("position"))
    assert [row.slug for row in rows] == ["one", "two", "team"]
    assert [row.track for row in rows] == ["all", "all", "official"]
    for row in rows:
        live = ChapterPage.objects.get(pk=row.chapter_id)
        assert row.revision_id == live.live_revision_id
        assert row.content_sha256 == chapter_sha256(live)
    assert len(version.content_sha256) == 64
    assert version.locale_codes == ["en"]


def test_hash_is_stable_and_edits_do_not_change_a_released_version(policy):
    version = factories.release(policy)
    frozen_hash = version.content_sha256
    frozen_text = PolicyVersionChapter.objects.get(version=version, slug="one").page.body.raw_data[0]["value"]
    chapter = ChapterPage.objects.get(slug="one")
    factories.edit_chapter(chapter, body=[{"type": "text", "value": "<p>A rewritten chapter.</p>"}])

    version.refresh_from_db()
    assert version.content_sha256 == frozen_hash
    still = PolicyVersionChapter.objects.get(version=version, slug="one").page
    assert still.body.raw_data[0]["value"] == frozen_text
    assert chapter_sha256(still) == PolicyVersionChapter.objects.get(version=version, slug="one").content_sha256

    second = factories.release(policy, number="1.1", material=False)
    assert second.content_sha256 != frozen_hash
    assert "A rewritten chapter." in str(PolicyVersionChapter.objects.get(version=second, slug="one").page.body)


def test_same_content_gives_same_hash(policy):
    first = factories.release(policy)
    second = factories.release(policy, number="1.0.1", material=False)
    assert first.content_sha256 == second.content_sha256


def test_no_release_while_a_chapter_is_in_review(policy):
    factories.release(policy)
    chapter = ChapterPage.objects.get(slug="two")
    editor, _reviewer = factories.editor_and_reviewer()
    chapter.title = "Changed but not approved"
    chapter.save_revision(user=editor)
    chapter.get_workflow().start(chapter, editor)

    with pytest.raises(ReleaseError) as error:
        factories.release(policy, number="2.0")
    assert str(ERROR_RELEASE_IN_REVIEW % {"title": "Chapter two"}) in error.value.messages
    assert PolicyVersion.objects.filter(number="2.0").count() == 0


def test_no_release_of_text_published_without_approval(policy):
    chapter = ChapterPage.objects.get(slug="one")
    chapter.title = "Published by a superuser, never reviewed"
    chapter.save_revision().publish()

    with pytest.raises(ReleaseError) as error:
        factories.release(policy)
    assert str(ERROR_RELEASE_NOT_APPROVED % {"title": chapter.title}) in error.value.messages
    assert not PolicyVersion.objects.exists()
    assert not PolicyVersionChapter.objects.exists()


def test_release_with_no_chapters_is_refused(db):
    policy = factories.published_policy(factories.policy_spec(chapters=[]))
    plan = version_release_plan(policy=policy)
    assert str(ERROR_RELEASE_NO_CHAPTERS) in [str(p) for p in plan.problems]
    with pytest.raises(ReleaseError):
        factories.release(policy)


def test_version_number_is_unique_per_policy(policy):
    factories.release(policy)
    with pytest.raises(ReleaseError) as error:
        factories.release(policy)
    assert str(ERROR_RELEASE_NUMBER_TAKEN % {"number": "1.0"}) in [str(m) for m in error.value.messages]


def test_database_refuses_duplicate_version_numbers(version):
    with pytest.raises(IntegrityError):
        PolicyVersion.objects.create(
            policy=version.policy,
            number=version.number,
            effective_date=version.effective_date,
            key_changes="x",
            requires_reattestation=False,
            released_at=version.released_at,
            released_by=version.released_by,
            content_sha256="0" * 64,
        )


@pytest.mark.parametrize(
    ("kind", "correct_flags", "message"),
    [
        ("single", [False, False, False], ERROR_NO_CORRECT_OPTION),
        ("multiple", [False, False, False], ERROR_NO_CORRECT_OPTION),
        ("single", [True, True, False], ERROR_ONE_CORRECT_OPTION),
    ],
)
def test_quiz_without_a_valid_correct_answer_is_refused(kind, correct_flags, message):
    block = QuestionBlock()
    value = block.to_python(
        {
            "kind": kind,
            "prompt": "Q",
            "scenario": "",
            "explanation": "",
            "options": [{"text": f"o{i}", "is_correct": flag, "feedback": ""} for i, flag in enumerate(correct_flags)],
        }
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert str(message) in str(error.value.block_errors["options"])


@pytest.mark.parametrize("pass_mark", [-1, 101, 150])
def test_pass_mark_outside_0_100_is_refused(policy, pass_mark):
    from django.core.exceptions import ValidationError

    chapter = ChapterPage.objects.get(slug="one")
    chapter.pass_mark = pass_mark
    with pytest.raises(ValidationError) as error:
        chapter.full_clean()
    assert str(ERROR_PASS_MARK_RANGE) in error.value.message_dict["pass_mark"]
