"""Released text lives in the version itself: editing, overwriting or rendering the CMS pages
never changes what employees read, answer and sign, nor its hash."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from wagtail.models import Revision
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from tests import factories
from training.hashing import chapter_sha256, content_sha256, locale_sha256, sha256_of
from training.models import (
    ERROR_REVISION_PROTECTED,
    ChapterPage,
    HashScheme,
    PolicyVersion,
    PolicyVersionChapter,
    PolicyVersionLocale,
    QuizAttempt,
)
from training.selectors import chapters_changed_between

pytestmark = pytest.mark.django_db

copy_migration = importlib.import_module("training.migrations.0006_copy_released_text")


def frozen(version, slug="one"):
    return PolicyVersionChapter.objects.get(version=version, slug=slug, locale__language_code="en")


def verify_versions():
    try:
        call_command("verify_versions")
    except CommandError as error:
        return error
    return None


def edit_form(chapter, *, intro, correct_option):
    """The chapter's edit form as the admin posts it: every field, the quiz with its answer key."""
    body = [("text", rich_text(block["value"])) for block in chapter.body.raw_data]
    questions = [
        (
            "question",
            {
                "kind": question["kind"],
                "prompt": question["prompt"],
                "scenario": question["scenario"],
                "explanation": question["explanation"],
                "options": {
                    "count": len(question["options"]),
                    **{
                        str(index): {
                            "value": {
                                "text": option["text"],
                                "is_correct": "on" if index == correct_option else "",
                                "feedback": option["feedback"],
                            },
                            "deleted": "",
                            "order": str(index),
                            "id": "",
                        }
                        for index, option in enumerate(question["options"])
                    },
                },
            },
        )
        for question in (block["value"] for block in chapter.questions.raw_data)
    ]
    return nested_form_data(
        {
            "title": chapter.title,
            "slug": chapter.slug,
            "intro": intro,
            "track": chapter.track,
            "reading_minutes": chapter.reading_minutes,
            "pass_mark": chapter.pass_mark,
            "attempt_limit": "",
            "pool_size": "",
            "shuffle_options": "on",
            "body": streamfield(body),
            "questions": streamfield(questions),
            "seo_title": "",
            "search_description": "",
        }
    )


def post_overwrite(chapter, revision, *, intro="Rewritten after approval.", correct_option=1, url=None):
    """The hostile editor: the edit form posted back over ``revision`` (Wagtail lets its author)."""
    client = Client()
    client.force_login(revision.user)
    data = edit_form(chapter, intro=intro, correct_option=correct_option)
    data["overwrite_revision_id"] = str(revision.pk)
    return client.post(url or reverse("wagtailadmin_pages:edit", args=[chapter.pk]), data)


def test_release_copies_the_text_into_the_version(version):
    row = frozen(version)
    live = ChapterPage.objects.get(slug="one")
    assert row.content["intro"] == live.intro and row.content["title"] == live.title
    assert [block["value"]["prompt"] for block in row.content["questions"]] == ["one q0", "one q1"]
    assert all(block["id"] for block in row.content["questions"])
    options = row.content["questions"][0]["value"]["options"]
    assert all(item["type"] == "item" and item["id"] for item in options), "list items get their ids at release"
    assert row.content_sha256 == content_sha256(row.content) == chapter_sha256(live)
    assert version.hash_scheme == HashScheme.CANONICAL
    assert verify_versions() is None


def test_hash_is_the_same_after_rendering_and_resaving(emma_assignment):
    version = emma_assignment.version
    row = frozen(version)
    before = content_sha256(row.content)
    client = Client()
    client.force_login(emma_assignment.employee.user)
    assert client.get(reverse("chapter", args=[emma_assignment.pk, "one"])).status_code == 200
    assert client.get("/social-media-policy/one/").status_code == 200
    assert client.get(reverse("quiz", args=[emma_assignment.pk, "one"])).status_code == 200
    chapter = ChapterPage.objects.get(slug="one")
    chapter.save_revision(user=factories.user())

    row.refresh_from_db()
    assert content_sha256(row.content) == before == row.content_sha256
    assert chapter_sha256(row.page) == before, "the page employees were shown hashes the same"
    assert chapter_sha256(ChapterPage.objects.get(slug="one")) == before
    assert verify_versions() is None


def test_overwriting_a_released_revision_from_the_admin_is_refused(emma_assignment):
    version = emma_assignment.version
    chapter = ChapterPage.objects.get(slug="one")
    released = Revision.objects.get(pk=frozen(version).revision_id)
    assert chapter.latest_revision_id == released.pk
    content_before = released.content
    revisions_before = chapter.revisions.count()

    response = post_overwrite(chapter, released)

    assert response.status_code == 200
    assert str(ERROR_REVISION_PROTECTED) in response.content.decode()
    released.refresh_from_db()
    assert released.content == content_before
    assert chapter.revisions.count() == revisions_before
    assert "Rewritten after approval." not in str(frozen(version).content)
    assert verify_versions() is None


def test_reverting_over_a_released_revision_is_refused(version):
    chapter = ChapterPage.objects.get(slug="one")
    released = Revision.objects.get(pk=frozen(version).revision_id)
    content_before = released.content
    url = reverse("wagtailadmin_pages:revisions_revert", args=[chapter.pk, released.pk])
    response = post_overwrite(chapter, released, url=url)
    assert response.status_code == 200
    assert str(ERROR_REVISION_PROTECTED) in response.content.decode()
    released.refresh_from_db()
    assert released.content == content_before


def test_changing_the_answer_key_by_overwrite_is_refused_and_grading_uses_the_frozen_key(emma_assignment):
    version = emma_assignment.version
    chapter = ChapterPage.objects.get(slug="one")
    released = Revision.objects.get(pk=frozen(version).revision_id)
    response = post_overwrite(chapter, released, intro=chapter.intro, correct_option=2)
    assert str(ERROR_REVISION_PROTECTED) in response.content.decode()

    client = Client()
    client.force_login(emma_assignment.employee.user)
    client.get(reverse("quiz", args=[emma_assignment.pk, "one"]))
    attempt = QuizAttempt.objects.get(submitted_at__isnull=True)
    answers = {f"q-{item['question']}": [0] for item in attempt.presented}  # option 0 is right at release
    client.post(reverse("quiz", args=[emma_assignment.pk, "one"]), {"attempt": str(attempt.pk), **answers})
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100


def test_an_approved_revision_cannot_be_overwritten_even_before_release(policy):
    chapter = factories.edit_chapter(ChapterPage.objects.get(slug="two"), intro="Approved, not yet released.")
    approved = chapter.latest_revision
    response = post_overwrite(ChapterPage.objects.get(pk=chapter.pk), approved)
    assert str(ERROR_REVISION_PROTECTED) in response.content.decode()
    approved.refresh_from_db()
    assert approved.content["intro"] == "Approved, not yet released."
    with pytest.raises(PermissionDenied):
        chapter.save_revision(user=approved.user, overwrite_revision=approved)


def test_editors_still_overwrite_their_own_unapproved_draft(version):
    chapter = ChapterPage.objects.get(slug="one")
    editor = Revision.objects.get(pk=frozen(version).revision_id).user
    draft = chapter.save_revision(user=editor)
    response = post_overwrite(chapter, draft, intro="Next version's intro.")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.content["intro"] == "Next version's intro."
    assert frozen(version).content["intro"] == "About one."


def test_verify_versions_names_version_language_and_chapter(version, capsys):
    if connection.vendor == "postgresql":
        pytest.skip("the trigger refuses the change on PostgreSQL")
    row = frozen(version)
    PolicyVersionChapter.objects.filter(pk=row.pk).update(content={**row.content, "intro": "Quietly changed."})
    error = verify_versions()
    assert error is not None
    err = capsys.readouterr().err
    assert f"version Social media policy 1.0 (id {version.pk}), language en, chapter one" in err
    assert "language en: the chapters" not in err


def test_legacy_versions_verify_with_their_own_scheme(version):
    row = frozen(version)
    legacy = copy_migration.legacy_content(Revision.objects.get(pk=row.revision_id).content)
    old_formula = sha256_of(legacy)
    assert legacy["questions"][0]["value"]["options"][0] == {
        "text": "one q0 option 0",
        "is_correct": True,
        "feedback": "Feedback 0",
    }, "the legacy copy keeps the stream data exactly as the revision stored it"
    assert content_sha256(legacy, HashScheme.LEGACY) == old_formula
    assert content_sha256(legacy) == row.content_sha256, "the canonical hash ignores the storage format"


@pytest.mark.postgres
def test_postgres_refuses_changes_to_released_versions_and_revisions(version):
    if connection.vendor != "postgresql":
        pytest.skip("database triggers exist on PostgreSQL only")
    row = frozen(version)
    statements = [
        ("UPDATE training_policyversion SET content_sha256 = 'x' WHERE id = %s", version.pk),
        ("DELETE FROM training_policyversionlocale WHERE version_id = %s", version.pk),
        ("UPDATE training_policyversionchapter SET content = '{}' WHERE id = %s", row.pk),
        ("DELETE FROM training_policyversionchapter WHERE id = %s", row.pk),
        ("UPDATE wagtailcore_revision SET content = '{}' WHERE id = %s", row.revision_id),
    ]
    for sql, pk in statements:
        with pytest.raises(DatabaseError, match="immutable|released in a policy version"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wagtailcore_revision SET approved_go_live_at = NULL WHERE id = %s", [row.revision_id])
    assert PolicyVersion.objects.get(pk=version.pk).content_sha256 == version.content_sha256
    assert verify_versions() is None


def test_unchanged_chapters_are_recognised_across_hashing_schemes(version):
    """A version migrated with legacy hashes and the next canonical one: same text, same chapters."""
    if connection.vendor == "postgresql":
        pytest.skip("the trigger refuses turning a version into a legacy one on PostgreSQL")
    for row in PolicyVersionChapter.objects.filter(version=version):
        legacy = copy_migration.legacy_content(Revision.objects.get(pk=row.revision_id).content)
        PolicyVersionChapter.objects.filter(pk=row.pk).update(content=legacy, content_sha256=sha256_of(legacy))
    PolicyVersion.objects.filter(pk=version.pk).update(hash_scheme=HashScheme.LEGACY)
    rows = PolicyVersionChapter.objects.filter(version=version).order_by("position")
    digest = locale_sha256([(str(row.chapter_key), row.content_sha256) for row in rows])
    PolicyVersion.objects.filter(pk=version.pk).update(content_sha256=digest)
    PolicyVersionLocale.objects.filter(version=version).update(content_sha256=digest)
    assert verify_versions() is None

    second = factories.release(version.policy, number="1.1", material=False)
    assert second.hash_scheme == HashScheme.CANONICAL and second.content_sha256 != digest
    old = PolicyVersion.objects.get(pk=version.pk)
    assert chapters_changed_between(old=old, new=second, language="en") == []
