"""Actions that change training state: releasing versions, recording reading, grading quizzes."""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import Locale

from .blocks import QuestionKind
from .hashing import chapter_sha256, locale_sha256
from .models import (
    ChapterPage,
    PolicyPage,
    PolicyVersion,
    PolicyVersionChapter,
    PolicyVersionLocale,
    QuizAttempt,
    QuizAttemptGrant,
    QuizLockout,
    ReadingProgress,
)
from .selectors import approved_revision_ids, quiz_allowance, quiz_attempts_granted

ERROR_RELEASE_NO_CHAPTERS = _("This policy has no published chapters: there is nothing to release.")
ERROR_RELEASE_IN_REVIEW = _("“%(title)s” is still in review: approve or cancel the review before releasing.")
ERROR_RELEASE_NOT_APPROVED = _(
    "The published text of “%(title)s” has not been approved in legal review: submit it for review first."
)
ERROR_RELEASE_NUMBER_TAKEN = _("Version %(number)s already exists for this policy.")
ERROR_RELEASE_NOT_SOURCE = _("Release the policy from its %(language)s original; translations follow it.")
ERROR_KEY_CHANGES_NOT_RELEASED = _(
    "Key changes in %(language)s would never be shown: this version is not released in %(language)s "
    "because chapters are not translated yet (%(chapters)s)."
)
ERROR_QUIZ_NO_ATTEMPTS_LEFT = _("You have used all %(limit)s attempts for this quiz. Contact HR to reset it.")
ERROR_QUIZ_ALREADY_PASSED = _("You have already passed this quiz.")
ERROR_QUIZ_NO_QUESTIONS = _("This chapter has no quiz.")
ERROR_QUIZ_ATTEMPT_CLOSED = _("This quiz attempt is no longer open. Start the quiz again.")
ERROR_QUIZ_UNKNOWN_QUESTION = _("The answers do not match the questions you were asked.")
ERROR_QUIZ_UNKNOWN_OPTION = _("An answer is not one of the options offered.")
ERROR_QUIZ_UNANSWERED = _("Answer every question before submitting.")
ERROR_QUIZ_ONE_ANSWER = _("Choose only one option for “%(prompt)s”.")


class ReleaseError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(str(message) for message in messages))
        self.messages = messages


class QuizError(Exception):
    pass


@dataclass
class ReleasePlan:
    """What a release would contain: the chapters per language, and the languages left out."""

    chapters: dict[str, list[ChapterPage]]
    missing_locales: dict[str, list[str]]
    problems: list[str]


def version_release_plan(*, policy: PolicyPage) -> ReleasePlan:
    """Check a policy can be released and list what would be frozen, without writing anything."""
    problems: list[str] = []
    default_locale = Locale.get_default()
    if policy.locale_id != default_locale.pk:
        problems.append(ERROR_RELEASE_NOT_SOURCE % {"language": default_locale.get_display_name()})
    source_chapters = list(ChapterPage.objects.child_of(policy).live().order_by("path").specific())
    if not source_chapters:
        problems.append(ERROR_RELEASE_NO_CHAPTERS)
    chapters = {default_locale.language_code: source_chapters}
    missing: dict[str, list[str]] = {}
    translated = {page.locale_id for page in policy.get_translations()}
    for locale in Locale.objects.exclude(pk=default_locale.pk).order_by("language_code"):
        if locale.pk not in translated:  # not translated at all: every chapter is missing
            missing[locale.language_code] = [source.title for source in source_chapters]
            continue
        pages = []
        gaps = []
        for source in source_chapters:
            page = source.get_translation_or_none(locale)
            if page is None or not page.live:
                gaps.append(source.title)
            else:
                pages.append(page.specific)
        if gaps:
            missing[locale.language_code] = gaps
        else:
            chapters[locale.language_code] = pages
    every_page = [page for pages in chapters.values() for page in pages]
    approved = approved_revision_ids(pages=every_page)
    for page in every_page:
        if page.workflow_in_progress:
            problems.append(ERROR_RELEASE_IN_REVIEW % {"title": page.title})
        elif page.live_revision_id not in approved:
            problems.append(ERROR_RELEASE_NOT_APPROVED % {"title": page.title})
    return ReleasePlan(chapters=chapters, missing_locales=missing, problems=problems)


def key_changes_problems(plan: ReleasePlan, translated_key_changes: dict[str, str]) -> dict[str, str]:
    """Key changes written for a language this release leaves out would be lost: say so, by language.
    ``translated_key_changes`` holds only the languages something was written for."""
    return {
        code: ERROR_KEY_CHANGES_NOT_RELEASED
        % {"language": Locale(language_code=code).get_display_name(), "chapters": ", ".join(plan.missing_locales[code])}
        for code in translated_key_changes
        if code in plan.missing_locales
    }


@transaction.atomic
def version_release(
    *,
    policy: PolicyPage,
    number: str,
    effective_date: datetime.date,
    key_changes: str,
    requires_reattestation: bool,
    released_by,
    translated_key_changes: dict[str, str] | None = None,
) -> PolicyVersion:
    """Freeze the approved, published text of every chapter (in every fully translated language).

    ``translated_key_changes`` holds the key changes written for readers of other languages
    (``{language code: lines}``); readers of a language without them see ``key_changes``."""
    plan = version_release_plan(policy=policy)
    translated_key_changes = {code: text.strip() for code, text in (translated_key_changes or {}).items() if text.strip()}
    problems = plan.problems + list(key_changes_problems(plan, translated_key_changes).values())
    if problems:
        raise ReleaseError(problems)
    if PolicyVersion.objects.filter(policy=policy, number=number).exists():
        raise ReleaseError([ERROR_RELEASE_NUMBER_TAKEN % {"number": number}])
    version = PolicyVersion(
        policy=policy,
        number=number,
        effective_date=effective_date,
        key_changes=key_changes.strip(),
        requires_reattestation=requires_reattestation,
        released_at=timezone.now(),
        released_by=released_by,
        content_sha256="",
    )
    rows = []
    locale_rows = []
    for pages in plan.chapters.values():
        locale = pages[0].locale if pages else Locale.get_default()
        hashes = []
        for position, page in enumerate(pages):
            frozen = page.live_revision.as_object()
            digest = chapter_sha256(frozen)
            hashes.append((str(page.translation_key), digest))
            rows.append(
                PolicyVersionChapter(
                    version=version,
                    locale=locale,
                    chapter=page,
                    chapter_key=page.translation_key,
                    revision=page.live_revision,
                    position=position,
                    track=frozen.track,
                    title=frozen.title,
                    slug=frozen.slug,
                    has_quiz=len(frozen.questions) > 0,
                    content_sha256=digest,
                )
            )
        translated_policy = policy.get_translation_or_none(locale) or policy
        locale_rows.append(
            PolicyVersionLocale(
                version=version,
                locale=locale,
                title=translated_policy.title,
                content_sha256=locale_sha256(hashes),
                key_changes=translated_key_changes.get(locale.language_code, ""),
            )
        )
        if locale.pk == policy.locale_id:
            version.content_sha256 = locale_sha256(hashes)
    version.full_clean()
    version.save()
    for row in locale_rows:
        row.version = version
    for row in rows:
        row.version = version
    PolicyVersionLocale.objects.bulk_create(locale_rows)
    PolicyVersionChapter.objects.bulk_create(rows)
    log(instance=version, action="training.version_release", user=released_by)
    return version


def reading_record(*, user, chapter: PolicyVersionChapter) -> ReadingProgress:
    """Mark a chapter read. Reading again later only moves ``last_read_at``."""
    now = timezone.now()
    progress, created = ReadingProgress.objects.get_or_create(
        user=user,
        version_id=chapter.version_id,
        chapter_key=chapter.chapter_key,
        defaults={"locale_code": chapter.locale.language_code, "first_read_at": now, "last_read_at": now},
    )
    if not created:
        ReadingProgress.objects.filter(pk=progress.pk).update(last_read_at=now)
    return progress


def _questions(chapter: PolicyVersionChapter) -> dict[str, dict]:
    return {child.id: child.value for child in chapter.page.questions}


def quiz_attempt_start(
    *,
    user,
    chapter: PolicyVersionChapter,
    since: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> QuizAttempt:
    """Open (or resume) an attempt: draw the questions and fix the option order on the server.
    Attempts before ``since`` (an earlier assignment) neither count against the limit nor pass."""
    rng = rng or random.SystemRandom()
    page = chapter.page
    if not chapter.has_quiz:
        raise QuizError(ERROR_QUIZ_NO_QUESTIONS)
    scope = QuizAttempt.objects.filter(user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key)
    open_attempt = scope.filter(submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    submitted = scope.filter(submitted_at__isnull=False)
    if since:
        submitted = submitted.filter(submitted_at__gte=since)
    if submitted.filter(passed=True).exists():
        raise QuizError(ERROR_QUIZ_ALREADY_PASSED)
    if page.attempt_limit and submitted.count() >= page.attempt_limit + quiz_attempts_granted(
        user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, since=since
    ):
        raise QuizError(ERROR_QUIZ_NO_ATTEMPTS_LEFT % {"limit": page.attempt_limit})
    questions = list(page.questions)
    if page.pool_size and page.pool_size < len(questions):
        questions = rng.sample(questions, page.pool_size)
    presented = []
    for question in questions:
        order = list(range(len(question.value["options"])))
        if page.shuffle_options and question.value["kind"] != QuestionKind.TRUE_FALSE:
            rng.shuffle(order)
        presented.append({"question": question.id, "options": order})
    number = (scope.aggregate(last=Max("number"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                user=user,
                version_id=chapter.version_id,
                chapter_key=chapter.chapter_key,
                locale_code=chapter.locale.language_code,
                number=number,
                presented=presented,
                started_at=timezone.now(),
            )
    except IntegrityError:
        return scope.get(submitted_at__isnull=True)


def quiz_answers_validate(*, attempt: QuizAttempt, chapter: PolicyVersionChapter, answers: dict[str, list[int]]):
    """Refuse anything that was not offered: unknown questions, unknown options, several answers to one."""
    questions = _questions(chapter)
    offered = {item["question"]: set(item["options"]) for item in attempt.presented}
    if set(answers) - set(offered):
        raise QuizError(ERROR_QUIZ_UNKNOWN_QUESTION)
    for question_id, options in offered.items():
        selected = answers.get(question_id) or []
        if not selected:
            raise QuizError(ERROR_QUIZ_UNANSWERED)
        if not set(selected) <= options:
            raise QuizError(ERROR_QUIZ_UNKNOWN_OPTION)
        question = questions[question_id]
        if question["kind"] in QuestionKind.ONE_ANSWER and len(selected) != 1:
            raise QuizError(ERROR_QUIZ_ONE_ANSWER % {"prompt": question["prompt"]})


def quiz_attempt_submit(
    *, user, chapter: PolicyVersionChapter, attempt_id, answers: dict[str, list[int]]
) -> QuizAttempt:
    """Grade an open attempt on the server. A closed, foreign or forged attempt changes nothing."""
    try:
        attempt_id = uuid.UUID(str(attempt_id))
    except ValueError:
        raise QuizError(ERROR_QUIZ_ATTEMPT_CLOSED) from None
    attempt = QuizAttempt.objects.filter(
        pk=attempt_id,
        user=user,
        version_id=chapter.version_id,
        chapter_key=chapter.chapter_key,
        submitted_at__isnull=True,
    ).first()
    if attempt is None:
        raise QuizError(ERROR_QUIZ_ATTEMPT_CLOSED)
    quiz_answers_validate(attempt=attempt, chapter=chapter, answers=answers)
    questions = _questions(chapter)
    correct = 0
    for item in attempt.presented:
        options = questions[item["question"]]["options"]
        right = {index for index, option in enumerate(options) if option["is_correct"]}
        if set(answers[item["question"]]) == right:
            correct += 1
    score = round(100 * correct / len(attempt.presented))
    passed = score >= chapter.page.pass_mark
    updated = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        answers=answers, score=score, passed=passed, submitted_at=timezone.now()
    )
    if not updated:
        raise QuizError(ERROR_QUIZ_ATTEMPT_CLOSED)
    attempt.refresh_from_db()
    return attempt


def quiz_lockout_record(*, user, chapter: PolicyVersionChapter, since: datetime.datetime | None = None) -> bool:
    """After a failed attempt: if it was the last one allowed, record that this person needs more
    attempts (a row reports can find). Returns whether they are locked out. Recording twice is harmless."""
    if not quiz_allowance(user=user, chapter=chapter, since=since).locked_out:
        return False
    try:
        with transaction.atomic():
            QuizLockout.objects.create(
                user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, locked_at=timezone.now()
            )
    except IntegrityError:
        pass  # already recorded by another request
    return True


@transaction.atomic
def quiz_attempts_grant(*, user, version_id: int, chapter_key, attempts: int, reason: str, by) -> QuizAttemptGrant:
    """Allow ``attempts`` more attempts at one chapter quiz and lift any lockout on it."""
    now = timezone.now()
    grant = QuizAttemptGrant(
        user=user,
        version_id=version_id,
        chapter_key=chapter_key,
        attempts=attempts,
        reason=reason,
        granted_by=by,
        granted_at=now,
    )
    grant.full_clean()
    grant.save()
    QuizLockout.objects.filter(
        user=user, version_id=version_id, chapter_key=chapter_key, cleared_at__isnull=True
    ).update(cleared_at=now)
    return grant
