"""Reads about policies, versions and a learner's progress. Nothing here writes."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Sum
from wagtail.models import TaskState

from .hashing import content_sha256, locale_sha256
from .models import (
    ChapterPage,
    PolicyVersion,
    PolicyVersionChapter,
    PolicyVersionLocale,
    QuizAttempt,
    QuizAttemptGrant,
    ReadingProgress,
)


@dataclass
class ChapterStatus:
    chapter: PolicyVersionChapter
    read: bool = False
    passed: bool = False
    attempts: int = 0
    best_score: int | None = None
    carried_over: bool = False

    @property
    def done(self) -> bool:
        return self.carried_over or (self.read and (self.passed or not self.chapter.has_quiz))


@dataclass
class LearnerProgress:
    version: PolicyVersion
    reading_locale: str
    chapters: list[ChapterStatus] = field(default_factory=list)
    quiz_results: list[dict] = field(default_factory=list)

    @property
    def policy_title(self) -> str:
        return self.version.title_in(self.reading_locale)

    @property
    def done_count(self) -> int:
        return sum(1 for status in self.chapters if status.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.chapters)) if self.chapters else 0

    @property
    def complete(self) -> bool:
        return bool(self.chapters) and all(status.done for status in self.chapters)

    @property
    def started(self) -> bool:
        return any(status.read or status.attempts for status in self.chapters)

    def next_step(self) -> ChapterStatus | None:
        return next((status for status in self.chapters if not status.done), None)


def unchanged_chapters_done_before(*, user, version: PolicyVersion, chapters: list[PolicyVersionChapter]) -> set:
    """Keys of chapters whose exact text (same hash) the learner already read, and passed, in an
    earlier version of the same policy: re-attesting means redoing only what changed."""
    hashes = {chapter.text_sha256: chapter for chapter in chapters}
    earlier = PolicyVersionChapter.objects.filter(version__policy_id=version.policy_id, text_sha256__in=hashes).exclude(
        version=version
    )
    candidates = {
        (row.version_id, row.chapter_key): row.text_sha256
        for row in earlier.only("version_id", "chapter_key", "text_sha256")
    }
    if not candidates:
        return set()
    versions = {version_id for version_id, _ in candidates}
    read = set(
        ReadingProgress.objects.filter(user=user, version_id__in=versions).values_list("version_id", "chapter_key")
    )
    passed = set(
        QuizAttempt.objects.filter(user=user, version_id__in=versions, passed=True).values_list(
            "version_id", "chapter_key"
        )
    )
    done = set()
    for key, digest in candidates.items():
        chapter = hashes[digest]
        if key in read and (key in passed or not chapter.has_quiz):
            done.add(chapter.chapter_key)
    return done


_RELEASED_CHAPTERS: dict[tuple, tuple[str, tuple[PolicyVersionChapter, ...]]] = {}
_RELEASED_CHAPTERS_MAX = 512


def _chapters_to_read(
    *, version: PolicyVersion, track: str, language: str
) -> tuple[str, tuple[PolicyVersionChapter, ...]]:
    """The reading language and the chapters of a released version for one track and language.

    A released version never changes (its chapters and languages are written once, at release),
    so each process reads them once instead of twice per request on the signing path. The key
    includes ``released_at`` so a reused id (a rolled-back test database) cannot serve another
    version's chapters. The chapters are shared between requests: treat them as read-only.
    ``PolicyVersionChapter.page`` builds the chapter from the frozen copy, once per process.
    """
    key = (version.pk, version.released_at, track, language)
    found = _RELEASED_CHAPTERS.get(key)
    if found is None:
        chapters = PolicyVersionChapter.objects.to_read(version=version, track=track, language=language)
        found = (
            version.reading_locale(language),
            tuple(chapters.select_related(None).select_related("locale")),
        )
        if len(_RELEASED_CHAPTERS) >= _RELEASED_CHAPTERS_MAX:
            _RELEASED_CHAPTERS.clear()
        _RELEASED_CHAPTERS[key] = found
    return found


def learner_progress(
    *,
    user,
    version: PolicyVersion,
    track: str,
    language: str,
    since: datetime.datetime | None = None,
    reuse_unchanged: bool = False,
) -> LearnerProgress:
    """Where one learner stands on one version, counting only reading and attempts after
    ``since``; with ``reuse_unchanged``, chapters done in an earlier version with identical text
    count as done. A constant number of queries whatever the number of chapters: two (this
    learner's reading and attempts) once the process knows the version's chapters.

    ``quiz_results`` holds the passing (or best) attempt per chapter, as an attestation records it."""
    reading_locale, chapters = _chapters_to_read(version=version, track=track, language=language)
    readings = ReadingProgress.objects.filter(user=user, version=version)
    attempts_made = QuizAttempt.objects.filter(user=user, version=version, submitted_at__isnull=False)
    if since:
        readings = readings.filter(last_read_at__gte=since)
        attempts_made = attempts_made.filter(submitted_at__gte=since)
    read_keys = set(readings.values_list("chapter_key", flat=True))
    attempts: dict = {}
    best: dict = {}
    for key, number, score, passed, submitted_at in attempts_made.values_list(
        "chapter_key", "number", "score", "passed", "submitted_at"
    ):
        attempts.setdefault(key, []).append((score, passed))
        current = best.get(key)
        if current is None or (passed, score) > (current["passed"], current["score"]):
            best[key] = {
                "chapter": str(key),
                "attempt": number,
                "score": score,
                "passed": passed,
                "submitted_at": submitted_at.isoformat(),
            }
    carried = (
        unchanged_chapters_done_before(user=user, version=version, chapters=chapters) if reuse_unchanged else set()
    )
    progress = LearnerProgress(
        version=version,
        reading_locale=reading_locale,
        quiz_results=sorted(best.values(), key=lambda result: result["chapter"]),
    )
    for chapter in chapters:
        results = attempts.get(chapter.chapter_key, [])
        progress.chapters.append(
            ChapterStatus(
                chapter=chapter,
                read=chapter.chapter_key in read_keys,
                passed=any(passed for _, passed in results),
                attempts=len(results),
                best_score=max((score for score, _ in results), default=None),
                carried_over=chapter.chapter_key in carried,
            )
        )
    return progress


def approved_revision_ids(*, pages: list[ChapterPage]) -> set[int]:
    """Revisions that a review workflow approved: only these may be released."""
    return set(
        TaskState.objects.filter(
            status=TaskState.STATUS_APPROVED,
            workflow_state__base_content_type__model="page",
            workflow_state__object_id__in=[str(page.pk) for page in pages],
        ).values_list("revision_id", flat=True)
    )


def chapters_changed_between(
    *, old: PolicyVersion, new: PolicyVersion, language: str, signed_language: str | None = None
) -> list[PolicyVersionChapter]:
    """Chapters of ``new``, as read in ``language``, whose text differs from (or is missing in) the
    text of ``old`` the reader signed (in ``signed_language``, by default the one they would have
    read). Compared within one language: a change made only in the original is not a change in a
    translation that did not follow it."""
    old_code = signed_language or old.reading_locale(language)
    before = dict(
        PolicyVersionChapter.objects.filter(version=old, locale__language_code=old_code).values_list(
            "chapter_key", "text_sha256"
        )
    )
    locale_code = new.reading_locale(language)
    return [
        chapter
        for chapter in PolicyVersionChapter.objects.filter(version=new, locale__language_code=locale_code).order_by(
            "position"
        )
        if before.get(chapter.chapter_key) != chapter.text_sha256
    ]


def chapters_released_lagging(*, versions: list[PolicyVersion], new: PolicyVersion, language: str) -> list[str]:
    """Titles (as ``new`` reads in ``language``) of chapters whose original changed in one of
    ``versions`` while this language's text was released unchanged, as legal confirmed."""
    locale_code = new.reading_locale(language)
    keys = {
        key
        for keys in PolicyVersionLocale.objects.filter(
            version__in=versions, locale__language_code=locale_code
        ).values_list("lagging_chapters", flat=True)
        for key in keys
    }
    if not keys:
        return []
    return list(
        PolicyVersionChapter.objects.filter(version=new, locale__language_code=locale_code, chapter_key__in=keys)
        .order_by("position")
        .values_list("title", flat=True)
    )


def version_hash_problems(*, version: PolicyVersion) -> list[str]:
    """Recompute a version's hashes from its frozen copy, each with the scheme it was released
    with, and name every chapter and language whose stored hash no longer matches."""
    label = f"version {version.policy.title} {version.number} (id {version.pk})"
    problems = []
    chapters: dict[str, list[PolicyVersionChapter]] = {}
    for chapter in version.chapters.select_related("locale").order_by("position"):
        chapters.setdefault(chapter.locale.language_code, []).append(chapter)
        if (
            content_sha256(chapter.content, version.hash_scheme) != chapter.content_sha256
            or content_sha256(chapter.content) != chapter.text_sha256
        ):
            problems.append(
                f"{label}, language {chapter.locale.language_code}, chapter {chapter.slug}: "
                "the frozen text does not match its hash"
            )
    source_language = version.policy.locale.language_code
    for row in version.locales.select_related("locale"):
        language = row.locale.language_code
        digest = locale_sha256([(str(c.chapter_key), c.content_sha256) for c in chapters.get(language, [])])
        if digest != row.content_sha256:
            problems.append(f"{label}, language {language}: the chapters do not match the language's hash")
        if language == source_language and row.content_sha256 != version.content_sha256:
            problems.append(f"{label}, language {language}: the version's hash is not this language's hash")
    return problems


def quiz_attempts_granted(*, user, version_id: int, chapter_key, since: datetime.datetime | None = None) -> int:
    """Extra attempts granted at one chapter quiz (those before ``since`` belonged to an earlier assignment)."""
    grants = QuizAttemptGrant.objects.filter(user=user, version_id=version_id, chapter_key=chapter_key)
    if since:
        grants = grants.filter(granted_at__gte=since)
    return grants.aggregate(total=Sum("attempts"))["total"] or 0


@dataclass
class QuizAllowance:
    """How many attempts at one chapter quiz someone has had and may still have."""

    limit: int | None  # the chapter's limit plus grants; None when unlimited
    granted: int
    used: int
    passed: bool

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)

    @property
    def last_attempt(self) -> bool:
        """The next attempt is the last one allowed."""
        return not self.passed and self.remaining == 1

    @property
    def locked_out(self) -> bool:
        return not self.passed and self.remaining == 0

    @property
    def reveals_answers(self) -> bool:
        """Correct options, per-option feedback and explanations teach the answer key: show them
        only once the learner passed or has no attempt left (grants included), so failing on
        purpose cannot buy the key for the next attempt."""
        return self.passed or self.locked_out


def quiz_allowance(*, user, chapter: PolicyVersionChapter, since: datetime.datetime | None = None) -> QuizAllowance:
    """The same count ``quiz_attempt_start`` applies: submitted attempts since ``since`` against the
    chapter's attempt limit plus the attempts granted since then."""
    submitted = QuizAttempt.objects.filter(
        user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, submitted_at__isnull=False
    )
    if since:
        submitted = submitted.filter(submitted_at__gte=since)
    outcomes = list(submitted.values_list("passed", flat=True))
    granted = quiz_attempts_granted(
        user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, since=since
    )
    base = chapter.page.attempt_limit
    return QuizAllowance(
        limit=base + granted if base else None, granted=granted, used=len(outcomes), passed=any(outcomes)
    )


def quiz_attempt_review(*, chapter: PolicyVersionChapter, attempt: QuizAttempt, reveal: bool) -> list[dict]:
    """A submitted attempt, question by question: the learner's choices and whether each question
    was answered right. With ``reveal`` also the key (``is_correct``), feedback and explanation;
    without it they are left out of the data, so no template can show them by mistake."""
    questions = {child.id: child.value for child in chapter.page.questions}
    answers = attempt.answers or {}
    review = []
    for item in attempt.presented:
        question = questions[item["question"]]
        chosen = set(answers.get(item["question"], []))
        right = {index for index, option in enumerate(question["options"]) if option["is_correct"]}
        options = [
            (index, question["options"][index] if reveal else {"text": question["options"][index]["text"]})
            for index in item["options"]
        ]
        review.append(
            {
                "id": item["question"],
                "question": question if reveal else {"prompt": question["prompt"], "scenario": question["scenario"]},
                "options": options,
                "chosen": chosen,
                "answered_right": chosen == right,
            }
        )
    return review
