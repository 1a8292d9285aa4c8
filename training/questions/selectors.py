"""Reads: an employee's own questions on a chapter, the FAQ shown with it, who may see what in
the admin, and which chapters draw the most questions."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from ..models import PolicyPage, PolicyVersionChapter
from .models import ChapterQuestion, FaqTranslation, QuestionStatus

MANAGE_PERMISSION = "training.change_chapterquestion"
"""Legal and HR hold it (``cms.roles``): they see and answer every question. A policy's owner
sees and answers the questions about their own policies without it."""


def questions_of(*, user, chapter: PolicyVersionChapter) -> list[ChapterQuestion]:
    """What ``user`` asked about this chapter (in any version), oldest first. Nobody else's."""
    return list(ChapterQuestion.objects.filter(asked_by=user, chapter_key=chapter.chapter_key).order_by("asked_at"))


def faq_for_chapter(*, chapter: PolicyVersionChapter) -> list[FaqTranslation]:
    """The chapter's FAQ entries written in the language it is read in, oldest first."""
    return list(
        FaqTranslation.objects.filter(
            entry__policy__versions=chapter.version_id,
            entry__chapter_key=chapter.chapter_key,
            language=chapter.locale.language_code,
        ).order_by("entry__published_at", "entry_id")
    )


def owns_a_policy(user) -> bool:
    return user.is_active and PolicyPage.objects.filter(owner_user=user).exists()


def may_manage_all(user) -> bool:
    return user.is_active and user.has_perm(MANAGE_PERMISSION)


def questions_visible_to(user) -> QuerySet[ChapterQuestion]:
    """Every question for legal and HR; for a policy's owner, those about their policies; none
    for anyone else (editors, managers, the people who asked: they see theirs on the chapter)."""
    questions = ChapterQuestion.objects.select_related("version__policy", "asked_by", "answered_by")
    if may_manage_all(user):
        return questions
    if not user.is_active:
        return questions.none()
    return questions.filter(version__policy__owner_user=user)


def question_visible_to(user, question: ChapterQuestion) -> bool:
    return may_manage_all(user) or (user.is_active and question.version.policy.owner_user_id == user.pk)


def chapter_choices() -> list[tuple[str, str]]:
    """Chapters that were asked about, for the admin's filter: (translation key, title in the
    default language where released in it)."""
    keys = list(ChapterQuestion.objects.order_by().values_list("chapter_key", flat=True).distinct())
    titles = _default_titles(keys)
    asked = dict(ChapterQuestion.objects.filter(chapter_key__in=keys).values_list("chapter_key", "chapter_title"))
    return sorted(((str(key), titles.get(key) or asked.get(key, "")) for key in keys), key=lambda pair: pair[1])


def _default_titles(keys) -> dict:
    titles = {}
    rows = (
        PolicyVersionChapter.objects.filter(chapter_key__in=keys, locale__language_code=settings.LANGUAGE_CODE)
        .order_by("chapter_key", "-version__released_at")
        .values_list("chapter_key", "title")
    )
    for key, title in rows:
        titles.setdefault(key, title)
    return titles


@dataclass
class ChapterQuestions:
    chapter_key: str
    title: str
    asked: int
    open: int


def chapters_most_asked(*, limit: int = 5) -> list[ChapterQuestions]:
    """The chapters that drew the most questions, with how many still wait for an answer (two
    queries, whatever the number of questions)."""
    rows = list(
        ChapterQuestion.objects.order_by()
        .values("chapter_key")
        .annotate(asked=Count("pk"), waiting=Count("pk", filter=Q(status=QuestionStatus.OPEN)))
        .order_by("-asked", "chapter_key")[:limit]
    )
    titles = _default_titles([row["chapter_key"] for row in rows]) if rows else {}
    fallback = {}
    if rows and len(titles) < len(rows):
        fallback = dict(
            ChapterQuestion.objects.filter(chapter_key__in=[row["chapter_key"] for row in rows]).values_list(
                "chapter_key", "chapter_title"
            )
        )
    return [
        ChapterQuestions(
            chapter_key=str(row["chapter_key"]),
            title=titles.get(row["chapter_key"]) or fallback.get(row["chapter_key"], ""),
            asked=row["asked"],
            open=row["waiting"],
        )
        for row in rows
    ]
