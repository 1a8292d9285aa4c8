"""Emails about employees' questions (``training.questions``): the policy's owner hears of a new
question (HR when the policy has no active owner with an email), and the person who asked hears
of the answer, in their language, with a link to the chapter. Sent through ``reminders.deliver``,
so each goes out once (``ReminderLog``) and carries ``Auto-Submitted``."""

from django.conf import settings
from django.urls import reverse

from training.questions.forms import QuestionForm
from training.questions.models import ChapterQuestion
from training.questions.selectors import faq_for_chapter, questions_of

from .models import Assignment, Employee, ReminderKind
from .reminders import Email, absolute_url, deliver, hr_recipients


def _question(question_id: int) -> ChapterQuestion | None:
    return (
        ChapterQuestion.objects.select_related("version__policy__owner_user", "asked_by", "answered_by")
        .filter(pk=question_id)
        .first()
    )


def _languages(users) -> dict[int, str]:
    return dict(Employee.objects.filter(user__in=users).values_list("user_id", "language"))


def question_recipients(question: ChapterQuestion) -> list:
    """The policy's owner, else everyone in HR."""
    owner = question.version.policy.owner_user
    if owner is not None and owner.is_active and owner.email:
        return [owner]
    return list(hr_recipients())


def question_asked_emails(question: ChapterQuestion) -> list[Email]:
    recipients = question_recipients(question)
    languages = _languages(recipients)
    asker = question.asked_by
    employee = Employee.objects.filter(user=asker).only("first_name", "last_name").first()
    asker_name = employee.full_name if employee else (asker.get_full_name() or asker.email)
    link = absolute_url(reverse("questions:edit", args=[question.pk]))
    return [
        Email(
            kind=ReminderKind.QUESTION,
            dedupe_key=f"question:{question.pk}:{user.pk}",
            recipient=user.email,
            template="question_asked",
            language=languages.get(user.pk, settings.LANGUAGE_CODE),
            context={
                "recipient_name": user.get_full_name() or user.email,
                "asker_name": asker_name,
                "policy": question.version.title_in(languages.get(user.pk, settings.LANGUAGE_CODE)),
                "version": question.version.number,
                "chapter": question.chapter_title,
                "text": question.text,
                "link": link,
            },
        )
        for user in recipients
    ]


def chapter_link(question: ChapterQuestion, employee: Employee | None) -> str:
    """The chapter in the asker's training: their latest assignment of that version, else their
    transcript's assignment list (My training)."""
    assignment = (
        Assignment.objects.filter(employee=employee, version_id=question.version_id, cancelled_at__isnull=True)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        if employee
        else None
    )
    if assignment is None:
        return absolute_url("/")
    return absolute_url(reverse("chapter", args=[assignment, question.chapter_slug])) + "#questions"


def question_answered_email(question: ChapterQuestion) -> Email | None:
    asker = question.asked_by
    if not asker.is_active or not asker.email:
        return None
    employee = Employee.objects.filter(user=asker).first()
    language = employee.language if employee else question.language
    stamp = int(question.answered_at.timestamp())
    return Email(
        kind=ReminderKind.ANSWER,
        dedupe_key=f"answer:{question.pk}:{stamp}",
        recipient=employee.email if employee else asker.email,
        template="question_answered",
        language=language,
        context={
            "recipient_name": employee.first_name if employee else (asker.first_name or asker.email),
            "chapter": question.chapter_title,
            "text": question.text,
            "answer": question.answer,
            "link": chapter_link(question, employee),
        },
        employee_id=employee.pk if employee else None,
    )


def question_asked_notify(*, question_id: int) -> int:
    question = _question(question_id)
    return deliver(question_asked_emails(question)) if question else 0


def question_answered_notify(*, question_id: int) -> int:
    question = _question(question_id)
    email = question_answered_email(question) if question and question.answered_at else None
    return deliver([email]) if email else 0


def chapter_questions_context(*, user, chapter, form=None) -> dict:
    """What the chapter page shows below the text: its FAQ in the language it is read in, the
    reader's own questions and answers, and the form to ask one (two queries)."""
    return {
        "faq": faq_for_chapter(chapter=chapter),
        "my_questions": questions_of(user=user, chapter=chapter),
        "question_form": form or QuestionForm(),
    }
