"""Actions that change training state: releasing versions, recording reading, grading quizzes."""

import datetime
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import Locale

from .blocks import QuestionKind
from .diffs import chapter_diff
from .hashing import chapter_content, chapter_sha256, content_sha256, locale_sha256
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
from .selectors import QuizAllowance, approved_revision_ids, quiz_attempts_granted
from .xapi import statements as xapi
from .xapi.outbox import statement_record, xapi_enabled

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
ERROR_KEY_CHANGES_HELD_BACK = _(
    "Key changes in %(language)s would never be shown: %(language)s is held back from this version."
)
ERROR_RELEASE_LAGGING = _(
    "The %(language)s text lags the original: %(chapters)s changed in the original but not in %(language)s. "
    "Hold %(language)s back, or confirm releasing it as it is."
)
ERROR_RELEASE_LAG_BOTH = _("Choose either to hold %(language)s back or to release it as it is, not both.")
DIFF_FROM = _("released in version %(number)s")
DIFF_TO = _("to be released")
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
class LaggingChapter:
    """A chapter whose original changed since a language was last released, while that language's
    text did not (or one released lagging before and still not translated)."""

    key: uuid.UUID
    title: str
    since: str
    diff: str


@dataclass
class ReleasePlan:
    """What a release would contain: the chapters per language, the languages left out, and the
    languages whose text lags the original (``{language: [chapters]}``)."""

    chapters: dict[str, list[ChapterPage]]
    missing_locales: dict[str, list[str]]
    problems: list[str]
    lagging: dict[str, list[LaggingChapter]] = field(default_factory=dict)

    def lagging_titles(self, code: str) -> list[str]:
        return [chapter.title for chapter in self.lagging.get(code, [])]


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
    lagging = {}
    if not problems:
        lagging = _lagging_translations(policy=policy, chapters=chapters, source=default_locale.language_code)
    return ReleasePlan(chapters=chapters, missing_locales=missing, problems=problems, lagging=lagging)


def _lagging_translations(
    *, policy: PolicyPage, chapters: dict[str, list[ChapterPage]], source: str
) -> dict[str, list[LaggingChapter]]:
    """Compare each chapter's hash, per language, with the last version released in that language:
    a chapter lags where the original's hash moved and the translation's did not. A chapter released
    lagging before still lags until its translation changes."""
    digests = {
        code: {page.translation_key: chapter_sha256(page.live_revision.as_object()) for page in pages}
        for code, pages in chapters.items()
    }
    released = {}  # (version, language) -> {chapter key: row}, newest version first
    baseline: dict[str, int] = {}  # language -> the newest version released in it
    for row in (
        PolicyVersionChapter.objects.filter(version__policy=policy)
        .select_related("locale", "version")
        .order_by("-version__released_at")
    ):
        code = row.locale.language_code
        baseline.setdefault(code, row.version_id)
        released.setdefault((row.version_id, code), {})[row.chapter_key] = row
    confirmed = {
        (version_id, code): set(keys)
        for version_id, code, keys in PolicyVersionLocale.objects.filter(version__policy=policy).values_list(
            "version_id", "locale__language_code", "lagging_chapters"
        )
    }
    lagging: dict[str, list[LaggingChapter]] = {}
    for code in chapters:
        version_id = baseline.get(code)
        if code == source or version_id is None:
            continue
        before = released.get((version_id, code), {})
        before_source = released.get((version_id, source), {})
        lagged_before = confirmed.get((version_id, code), set())
        for page in chapters[source]:
            key = page.translation_key
            if key not in before or key not in before_source or digests[code].get(key) != before[key].text_sha256:
                continue
            old = before_source[key]
            if digests[source][key] != old.text_sha256 or str(key) in lagged_before:
                number = old.version.number
                lagging.setdefault(code, []).append(
                    LaggingChapter(
                        key=key,
                        title=page.title,
                        since=number,
                        diff=chapter_diff(
                            old.page,
                            page.live_revision.as_object(),
                            old_label=str(DIFF_FROM % {"number": number}),
                            new_label=str(DIFF_TO),
                        ),
                    )
                )
    return lagging


def lagging_problems(plan: ReleasePlan, *, held_back: Iterable[str], confirmed: Iterable[str]) -> dict[str, str]:
    """A lagging language must be held back or explicitly confirmed, by language; never both."""
    held_back, confirmed = set(held_back), set(confirmed)
    problems = {}
    for code in plan.lagging:
        language = Locale(language_code=code).get_display_name()
        if code in held_back and code in confirmed:
            problems[code] = ERROR_RELEASE_LAG_BOTH % {"language": language}
        elif code not in held_back and code not in confirmed:
            problems[code] = ERROR_RELEASE_LAGGING % {
                "language": language,
                "chapters": ", ".join(f"“{title}”" for title in plan.lagging_titles(code)),
            }
    return problems


def key_changes_problems(
    plan: ReleasePlan, translated_key_changes: dict[str, str], held_back: Iterable[str] = ()
) -> dict[str, str]:
    """Key changes written for a language this release leaves out would be lost: say so, by language.
    ``translated_key_changes`` holds only the languages something was written for."""
    problems = {
        code: ERROR_KEY_CHANGES_NOT_RELEASED
        % {"language": Locale(language_code=code).get_display_name(), "chapters": ", ".join(plan.missing_locales[code])}
        for code in translated_key_changes
        if code in plan.missing_locales
    }
    for code in set(translated_key_changes) & set(held_back) & set(plan.lagging):
        problems[code] = ERROR_KEY_CHANGES_HELD_BACK % {"language": Locale(language_code=code).get_display_name()}
    return problems


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
    held_back: Iterable[str] = (),
    lag_confirmed: Iterable[str] = (),
) -> PolicyVersion:
    """Freeze the approved, published text of every chapter (in every fully translated language):
    a copy of it is stored in the version and hashed canonically, so later CMS edits, even of
    the revision it came from, cannot change what employees read and sign.

    ``translated_key_changes`` holds the key changes written for readers of other languages
    (``{language code: lines}``); readers of a language without them see ``key_changes``.
    A language whose text lags the original must be named in ``held_back`` (left out: its readers
    keep the version they have) or in ``lag_confirmed`` (released as it is; recorded on its row)."""
    plan = version_release_plan(policy=policy)
    held_back = set(held_back) & set(plan.lagging)
    lag_confirmed = set(lag_confirmed) & set(plan.lagging)
    translated_key_changes = {
        code: text.strip() for code, text in (translated_key_changes or {}).items() if text.strip()
    }
    problems = (
        plan.problems
        + list(lagging_problems(plan, held_back=held_back, confirmed=lag_confirmed).values())
        + list(key_changes_problems(plan, translated_key_changes, held_back).values())
    )
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
        held_back_languages=sorted(held_back),
    )
    rows = []
    locale_rows = []
    for code, pages in plan.chapters.items():
        if code in held_back:
            continue
        locale = pages[0].locale if pages else Locale.get_default()
        hashes = []
        for position, page in enumerate(pages):
            frozen = page.live_revision.as_object()
            content = chapter_content(frozen)
            digest = content_sha256(content)
            hashes.append((str(page.translation_key), digest))
            rows.append(
                PolicyVersionChapter(
                    version=version,
                    locale=locale,
                    chapter=page,
                    chapter_key=page.translation_key,
                    revision=page.live_revision,
                    position=position,
                    track=content["track"],
                    title=content["title"],
                    slug=frozen.slug,
                    has_quiz=len(content["questions"]) > 0,
                    content=content,
                    content_sha256=digest,
                    text_sha256=digest,
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
                lagging_chapters=[str(chapter.key) for chapter in plan.lagging[code]] if code in lag_confirmed else [],
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
    log(
        instance=version,
        action="training.version_release",
        user=released_by,
        data={
            "held_back": {code: plan.lagging_titles(code) for code in sorted(held_back)},
            "lag_confirmed": {code: plan.lagging_titles(code) for code in sorted(lag_confirmed)},
        },
    )
    return version


@transaction.atomic
def reading_record(*, user, chapter: PolicyVersionChapter) -> ReadingProgress:
    """Mark a chapter read. Reading again later only moves ``last_read_at``. Each reading is an
    xAPI "experienced" statement when a learning record store is configured."""
    now = timezone.now()
    if xapi_enabled():
        statement_record(xapi.chapter_experienced(user=user, chapter=chapter, at=now))
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


@transaction.atomic
def quiz_attempt_submit(
    *, user, chapter: PolicyVersionChapter, attempt_id, answers: dict[str, list[int]]
) -> QuizAttempt:
    """Grade an open attempt on the server. A closed, foreign or forged attempt changes nothing.
    A graded attempt is an xAPI "passed" or "failed" statement when a learning record store is
    configured."""
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
    if xapi_enabled():
        statement_record(xapi.quiz_attempt_graded(user=user, chapter=chapter, attempt=attempt))
    return attempt


def quiz_lockout_record(*, user, chapter: PolicyVersionChapter, allowance: QuizAllowance) -> bool:
    """After a failed attempt: if it was the last one allowed (``allowance``, counted after it),
    record that this person needs more attempts (a row reports can find). Returns whether they are
    locked out. Recording twice is harmless."""
    if not allowance.locked_out:
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
