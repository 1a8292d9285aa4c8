"""Build policy pages and chapters from a plain data description (the demo fixtures, tests).

The description is the JSON format of ``fixtures/policy/<language>.json``. Pages are created as
drafts; publishing goes through the review workflow like any editor's change.
"""

from wagtail.models import Locale, Page

from .models import ChapterPage, PolicyPage


def _questions_raw(questions: list[dict]) -> list[dict]:
    return [{"type": "question", "value": question} for question in questions]


def chapter_fields(spec: dict) -> dict:
    return {
        "title": spec["title"],
        "slug": spec["slug"],
        "intro": spec.get("intro", ""),
        "track": spec.get("track", "all"),
        "reading_minutes": spec.get("reading_minutes", 5),
        "pass_mark": spec.get("pass_mark", 80),
        "attempt_limit": spec.get("attempt_limit"),
        "pool_size": spec.get("pool_size"),
        "shuffle_options": spec.get("shuffle_options", True),
        "body": spec["body"],
        "questions": _questions_raw(spec.get("questions", [])),
    }


def chapter_apply(page: ChapterPage, spec: dict) -> ChapterPage:
    for name, value in chapter_fields(spec).items():
        setattr(page, name, value)
    return page


def policy_create(*, parent: Page, spec: dict, owner=None) -> PolicyPage:
    """Create the policy page and its chapters (unpublished), in the parent's locale."""
    policy = PolicyPage(
        title=spec["policy"]["title"],
        slug=spec["policy"]["slug"],
        summary=spec["policy"].get("summary", ""),
        review_interval_months=spec["policy"].get("review_interval_months", 6),
        owner_user=owner,
        live=False,
    )
    parent.add_child(instance=policy)
    for chapter_spec in spec["chapters"]:
        policy.add_child(instance=chapter_apply(ChapterPage(live=False), chapter_spec))
    return policy


def policy_translate(*, policy: PolicyPage, spec: dict, language: str) -> PolicyPage:
    """Create the ``language`` copy of a policy and its chapters, filled from ``spec`` (unpublished)."""
    locale = Locale.objects.get(language_code=language)
    translated = policy.copy_for_translation(locale, copy_parents=True)
    translated.title = spec["policy"]["title"]
    translated.summary = spec["policy"].get("summary", "")
    translated.save_revision()
    by_slug = {chapter["slug"]: chapter for chapter in spec["chapters"]}
    for chapter in policy.get_children().specific():
        copy = chapter.copy_for_translation(locale)
        chapter_apply(copy, by_slug[chapter.slug])
        copy.slug = chapter.slug
        copy.save()
    return translated


def review_and_publish(page: Page, *, editor, reviewer) -> None:
    """Submit the page's latest draft to its review workflow and approve it as ``reviewer``,
    exactly as an editor and a legal reviewer would in the admin."""
    page.save_revision(user=editor)
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    page.current_workflow_task_state.approve(user=reviewer)
