"""Reads about policies, versions and a learner's progress. Nothing here writes."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet, Sum
from wagtail.models import Locale, TaskState

from .models import (
    ChapterPage,
    PolicyPage,
    PolicyVersion,
    PolicyVersionChapter,
    QuizAttempt,
    QuizAttemptGrant,
    ReadingProgress,
    Track,
)


def version_current(*, policy: PolicyPage) -> PolicyVersion | None:
    """The newest released version, whichever language ``policy`` is (versions live on the source page)."""
    source = policy.get_translation_or_none(Locale.get_default()) or policy
    return PolicyVersion.objects.filter(policy=source).order_by("-released_at").first()


def tracks_for(track: str) -> list[str]:
    return [Track.ALL, Track.OFFICIAL] if track == Track.OFFICIAL else [Track.ALL]


def version_reading_locale(*, version: PolicyVersion, language: str) -> str:
    """The language a learner reads in: theirs if the version covers it, else the default language."""
    codes = version.locale_codes
    if language in codes:
        return language
    default = settings.LANGUAGE_CODE
    return default if default in codes else codes[0]


def version_chapters(*, version: PolicyVersion, track: str, language: str) -> QuerySet[PolicyVersionChapter]:
    """The chapters a learner of ``track`` must read, in their reading language, in order."""
    locale_code = version_reading_locale(version=version, language=language)
    return (
        PolicyVersionChapter.objects.filter(
            version=version, locale__language_code=locale_code, track__in=tracks_for(track)
        )
        .select_related("revision", "locale")
        .order_by("position")
    )


def version_chapter_for_reading(*, version: PolicyVersion, slug: str, language: str) -> PolicyVersionChapter | None:
    locale_code = version_reading_locale(version=version, language=language)
    return (
        PolicyVersionChapter.objects.filter(version=version, locale__language_code=locale_code, slug=slug)
        .select_related("revision", "locale")
        .first()
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
    hashes = {chapter.content_sha256: chapter for chapter in chapters}
    earlier = PolicyVersionChapter.objects.filter(
        version__policy_id=version.policy_id, content_sha256__in=hashes
    ).exclude(version=version)
    candidates = {(row.version_id, row.chapter_key): row.content_sha256 for row in earlier.only("version_id", "chapter_key", "content_sha256")}
    if not candidates:
        return set()
    versions = {version_id for version_id, _ in candidates}
    read = set(
        ReadingProgress.objects.filter(user=user, version_id__in=versions).values_list("version_id", "chapter_key")
    )
    passed = set(
        QuizAttempt.objects.filter(user=user, version_id__in=versions, passed=True).values_list("version_id", "chapter_key")
    )
    done = set()
    for key, digest in candidates.items():
        chapter = hashes[digest]
        if key in read and (key in passed or not chapter.has_quiz):
            done.add(chapter.chapter_key)
    return done


_RELEASED_CHAPTERS: dict[tuple, tuple[str, tuple[PolicyVersionChapter, ...]]] = {}
_RELEASED_CHAPTERS_MAX = 512


def _chapters_to_read(*, version: PolicyVersion, track: str, language: str) -> tuple[str, tuple[PolicyVersionChapter, ...]]:
    """The reading language and the chapters of a released version for one track and language.

    A released version never changes (its chapters and languages are written once, at release),
    so each process reads them once instead of twice per request on the signing path. The key
    includes ``released_at`` so a reused id (a rolled-back test database) cannot serve another
    version's chapters. The chapters are shared between requests: treat them as read-only.
    The frozen revision is not joined: ``PolicyVersionChapter.page`` rebuilds it from its own cache.
    """
    key = (version.pk, version.released_at, track, language)
    found = _RELEASED_CHAPTERS.get(key)
    if found is None:
        chapters = version_chapters(version=version, track=track, language=language)
        found = (
            version_reading_locale(version=version, language=language),
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
    carried = unchanged_chapters_done_before(user=user, version=version, chapters=chapters) if reuse_unchanged else set()
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


def chapters_changed_between(*, old: PolicyVersion, new: PolicyVersion, language: str) -> list[PolicyVersionChapter]:
    """Chapters of ``new`` whose text differs from (or is missing in) ``old``."""
    old_by_key: dict = {}
    for key, digest in PolicyVersionChapter.objects.filter(version=old).values_list("chapter_key", "content_sha256"):
        old_by_key.setdefault(key, set()).add(digest)
    locale_code = version_reading_locale(version=new, language=language)
    return [
        chapter
        for chapter in PolicyVersionChapter.objects.filter(version=new, locale__language_code=locale_code).order_by(
            "position"
        )
        if chapter.content_sha256 not in old_by_key.get(chapter.chapter_key, set())
    ]


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


def quiz_allowance(*, user, chapter: PolicyVersionChapter, since: datetime.datetime | None = None) -> QuizAllowance:
    """The same count ``quiz_attempt_start`` applies: submitted attempts since ``since`` against the
    chapter's attempt limit plus the attempts granted since then."""
    submitted = QuizAttempt.objects.filter(
        user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, submitted_at__isnull=False
    )
    if since:
        submitted = submitted.filter(submitted_at__gte=since)
    outcomes = list(submitted.values_list("passed", flat=True))
    granted = quiz_attempts_granted(user=user, version_id=chapter.version_id, chapter_key=chapter.chapter_key, since=since)
    base = chapter.page.attempt_limit
    return QuizAllowance(
        limit=base + granted if base else None, granted=granted, used=len(outcomes), passed=any(outcomes)
    )
