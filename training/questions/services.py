"""Writes: asking a question, answering it, publishing it as an FAQ entry.

Who may answer or publish is the admin's permission policy (``permissions``); these functions
check the rules of the records themselves."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import PolicyVersionChapter
from .models import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    ChapterQuestion,
    FaqEntry,
    FaqTranslation,
    QuestionStatus,
)

QUESTION_LIMIT = 5
QUESTION_WINDOW = datetime.timedelta(hours=1)

ERROR_QUESTION_EMPTY = _("Write your question before sending it.")
ERROR_QUESTION_TOO_LONG = _("Your question is too long: keep it under %(limit)s characters.")
ERROR_QUESTION_TOO_MANY = _(
    "You have asked %(limit)s questions in the last hour. Wait a little before asking another one."
)
ERROR_ANSWER_EMPTY = _("Write an answer before saving.")
ERROR_ANSWER_TOO_LONG = _("The answer is too long: keep it under %(limit)s characters.")
ERROR_FAQ_NOT_ANSWERED = _("Answer the question before publishing it as an FAQ entry.")
ERROR_FAQ_NO_LANGUAGE = _("Write the FAQ entry in at least one language.")
ERROR_FAQ_INCOMPLETE = _("%(language)s: write both the question and the answer, or mark the language as not available.")


class QuestionError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


def question_ask(*, user, chapter: PolicyVersionChapter, text: str, at: datetime.datetime | None = None):
    """Record ``user``'s question about ``chapter`` (the frozen chapter they are reading).

    At most ``QUESTION_LIMIT`` per person in ``QUESTION_WINDOW``; the person's row is locked while
    counting, so two app servers cannot both let the sixth through."""
    at = at or timezone.now()
    text = (text or "").strip()
    if not text:
        raise QuestionError(ERROR_QUESTION_EMPTY)
    if len(text) > QUESTION_MAX_LENGTH:
        raise QuestionError(ERROR_QUESTION_TOO_LONG % {"limit": QUESTION_MAX_LENGTH})
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        recent = ChapterQuestion.objects.filter(asked_by=user, asked_at__gt=at - QUESTION_WINDOW).count()
        if recent >= QUESTION_LIMIT:
            raise QuestionError(ERROR_QUESTION_TOO_MANY % {"limit": QUESTION_LIMIT})
        question = ChapterQuestion(
            asked_by=user,
            version_id=chapter.version_id,
            chapter_key=chapter.chapter_key,
            chapter_slug=chapter.slug,
            chapter_title=chapter.title,
            language=chapter.locale.language_code,
            text=text,
            asked_at=at,
        )
        question.full_clean()
        question.save()
    return question


@transaction.atomic
def question_answer(*, question: ChapterQuestion, answer: str, by) -> ChapterQuestion:
    """Answer (or correct the answer to) a question. A published one stays published."""
    answer = (answer or "").strip()
    if not answer:
        raise QuestionError(ERROR_ANSWER_EMPTY)
    if len(answer) > ANSWER_MAX_LENGTH:
        raise QuestionError(ERROR_ANSWER_TOO_LONG % {"limit": ANSWER_MAX_LENGTH})
    question = ChapterQuestion.objects.select_for_update().get(pk=question.pk)
    question.answer = answer
    question.answered_by = by
    question.answered_at = timezone.now()
    if question.status == QuestionStatus.OPEN:
        question.status = QuestionStatus.ANSWERED
    question.full_clean()
    question.save()
    log(instance=question, action="training.question_answer", user=by)
    return question


def faq_texts_problems(texts: dict[str, tuple[str, str] | None]) -> dict[str, str]:
    """``{language: message}`` for each language written half (a question without an answer, or
    the reverse). ``None`` marks a language as not available."""
    names = dict(settings.LANGUAGES)
    problems = {}
    for language, pair in texts.items():
        if pair is None:
            continue
        question, answer = (part.strip() for part in pair)
        if not question or not answer:
            problems[language] = str(ERROR_FAQ_INCOMPLETE % {"language": names.get(language, language)})
    return problems


@transaction.atomic
def faq_publish(*, question: ChapterQuestion, texts: dict[str, tuple[str, str] | None], by) -> FaqEntry:
    """Publish ``question`` as an FAQ entry of its chapter, in the words of ``texts``
    (``{language: (question, answer)}``, ``None`` where not available). Publishing again
    rewrites the entry's texts. Readers never see who asked: the entry keeps only a link back."""
    question = ChapterQuestion.objects.select_for_update().select_related("version").get(pk=question.pk)
    if question.status == QuestionStatus.OPEN:
        raise QuestionError(ERROR_FAQ_NOT_ANSWERED)
    problems = faq_texts_problems(texts)
    if problems:
        raise QuestionError(next(iter(problems.values())))
    written = {language: pair for language, pair in texts.items() if pair is not None}
    if not written:
        raise QuestionError(ERROR_FAQ_NO_LANGUAGE)
    now = timezone.now()
    entry, _created = FaqEntry.objects.update_or_create(
        source=question,
        defaults={
            "policy_id": question.version.policy_id,
            "chapter_key": question.chapter_key,
            "published_by": by,
            "published_at": now,
        },
    )
    entry.translations.exclude(language__in=list(written)).delete()
    for language, (faq_question, faq_answer) in written.items():
        translation = FaqTranslation(
            entry=entry, language=language, question=faq_question.strip(), answer=faq_answer.strip()
        )
        translation.full_clean(exclude=["entry"], validate_unique=False)
        FaqTranslation.objects.update_or_create(
            entry=entry,
            language=language,
            defaults={"question": translation.question, "answer": translation.answer},
        )
    question.status = QuestionStatus.PUBLISHED
    question.save(update_fields=["status"])
    log(instance=question, action="training.question_publish", user=by, data={"languages": sorted(written)})
    return entry
