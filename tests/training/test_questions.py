"""The rules of questions and FAQ entries, through the services (the admin and the chapter page
call them): what a question records, the answer and publishing rules, and the database's own
guard against an answered question without an answer."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories
from training.models import PolicyVersionChapter
from training.questions.models import ChapterQuestion, FaqEntry, QuestionStatus
from training.questions.selectors import chapters_most_asked, faq_for_chapter, questions_of, questions_visible_to
from training.questions.services import (
    ERROR_FAQ_NO_LANGUAGE,
    ERROR_FAQ_NOT_ANSWERED,
    ERROR_QUESTION_TOO_MANY,
    QUESTION_LIMIT,
    QuestionError,
    faq_publish,
    question_answer,
    question_ask,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chapter(version):
    return PolicyVersionChapter.objects.select_related("locale").get(
        version=version, slug="one", locale__language_code="en"
    )


def test_the_rate_limit_counts_only_the_last_hour(chapter):
    user = factories.user()
    start = timezone.now() - datetime.timedelta(hours=2)
    for n in range(QUESTION_LIMIT):
        question_ask(user=user, chapter=chapter, text=f"Old {n}", at=start)
    for n in range(QUESTION_LIMIT):
        question_ask(user=user, chapter=chapter, text=f"New {n}")
    with pytest.raises(QuestionError) as refused:
        question_ask(user=user, chapter=chapter, text="Too many")
    assert refused.value.message == str(ERROR_QUESTION_TOO_MANY % {"limit": QUESTION_LIMIT})


def test_publishing_needs_an_answer_and_a_language_and_can_be_rewritten(chapter):
    user, owner = factories.user(), factories.user()
    question = question_ask(user=user, chapter=chapter, text="Why?")
    with pytest.raises(QuestionError) as refused:
        faq_publish(question=question, texts={"en": ("Q", "A")}, by=owner)
    assert refused.value.message == str(ERROR_FAQ_NOT_ANSWERED)
    question = question_answer(question=question, answer="Because.", by=owner)
    with pytest.raises(QuestionError) as refused:
        faq_publish(question=question, texts={"en": None, "fr": None}, by=owner)
    assert refused.value.message == str(ERROR_FAQ_NO_LANGUAGE)
    faq_publish(question=question, texts={"en": ("Q1", "A1"), "fr": ("Q1 fr", "A1 fr")}, by=owner)
    entry = faq_publish(question=question, texts={"en": ("Q2", "A2"), "fr": None}, by=owner)
    assert FaqEntry.objects.count() == 1
    assert list(entry.translations.values_list("language", "question")) == [("en", "Q2")]
    assert [item.question for item in faq_for_chapter(chapter=chapter)] == ["Q2"]
    # Correcting the answer keeps the question published.
    question = question_answer(question=question, answer="Because, really.", by=owner)
    assert question.status == QuestionStatus.PUBLISHED


def test_an_answered_question_without_an_answer_is_refused_by_the_database(chapter):
    question = question_ask(user=factories.user(), chapter=chapter, text="Why?")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChapterQuestion.objects.filter(pk=question.pk).update(status=QuestionStatus.ANSWERED)


def test_own_questions_and_visibility(chapter, policy):
    emma, noah, owner = factories.user(), factories.user(), factories.user()
    mine = question_ask(user=emma, chapter=chapter, text="Mine")
    question_ask(user=noah, chapter=chapter, text="Theirs")
    assert questions_of(user=emma, chapter=chapter) == [mine]
    assert not questions_visible_to(owner).exists()
    policy.owner_user = owner
    policy.save(update_fields=["owner_user"])
    assert questions_visible_to(owner).count() == 2
    owner.is_active = False
    assert not questions_visible_to(owner).exists()


def test_chapters_most_asked_ranks_by_questions(version):
    user = factories.user()
    chapters = {
        row.slug: row
        for row in PolicyVersionChapter.objects.select_related("locale").filter(
            version=version, locale__language_code="en"
        )
    }
    for n in range(2):
        question_ask(user=user, chapter=chapters["two"], text=f"Two {n}")
    question_ask(user=user, chapter=chapters["one"], text="One")
    ranked = chapters_most_asked()
    assert [(row.title, row.asked, row.open) for row in ranked] == [("Chapter two", 2, 2), ("Chapter one", 1, 1)]
