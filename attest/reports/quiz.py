"""Quiz insight: pass rates, attempts and the hardest questions per chapter."""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from training.models import PolicyVersionChapter, QuizAttempt

from ..status import end_of_day
from .filters import ReportFilters
from .scope import employees_in_scope

# Quiz insight reads every attempt (two million at 100,000 employees: seconds). What people get
# wrong moves slowly, so today's figures are kept this long; a past day's never change.
QUIZ_INSIGHT_FRESH_FOR = 10 * 60


QUIZ_INSIGHT_PAST_DAY_FOR = 24 * 60 * 60


@dataclass
class QuestionInsight:
    question_id: str
    prompt: str
    asked: int
    wrong: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.asked if self.asked else 0.0


@dataclass
class ChapterInsight:
    version: str
    position: int
    chapter_key: str
    title: str
    learners: int
    attempts: int
    passed: int
    first_try: int
    questions: list[QuestionInsight]

    @property
    def pass_rate(self) -> float:
        return self.passed / self.learners if self.learners else 0.0

    @property
    def average_attempts(self) -> float:
        return self.attempts / self.learners if self.learners else 0.0

    @property
    def first_try_rate(self) -> float:
        return self.first_try / self.learners if self.learners else 0.0


def _attempts_in_scope(filters: ReportFilters) -> QuerySet[QuizAttempt]:
    attempts = QuizAttempt.objects.filter(submitted_at__isnull=False, submitted_at__lt=end_of_day(filters.on))
    if filters.policy:
        attempts = attempts.filter(version_id__in=sorted(filters.version_ids))
    if filters.department or filters.location or filters.line_of is not None:
        attempts = attempts.filter(user__employee__in=employees_in_scope(filters).values("pk"))
    return attempts.order_by()


def _uuid_text(value) -> str:
    """A chapter key as canonical UUID text, however the database returned it (SQLite: bare hex)."""
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _answers_sql(attempts: QuerySet[QuizAttempt]) -> tuple[str, tuple]:
    sql, params = attempts.values_list("version_id", "chapter_key", "answers").query.sql_with_params()
    each = "jsonb_each(a.answers)" if connection.vendor == "postgresql" else "json_each(a.answers)"
    return (
        f"WITH a (version_id, chapter_key, answers) AS ({sql}) "  # noqa: S608 - compiled SQL of a queryset, not user input
        f"SELECT a.version_id, a.chapter_key, j.key, j.value, COUNT(*) FROM a, {each} AS j "
        f"GROUP BY a.version_id, a.chapter_key, j.key, j.value",
        params,
    )


def quiz_insight_cached(filters: ReportFilters) -> tuple[list[ChapterInsight], datetime.datetime]:
    """``quiz_insight`` and when it was computed, from the cache when it is fresh enough."""
    filters = filters.resolved()
    scope = [*sorted(filters.query_params().items()), ("on", filters.on.isoformat()), ("line", filters.line_path or "")]
    key = "quiz-insight:" + hashlib.sha256(json.dumps(scope).encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = (quiz_insight(filters), timezone.now())
        past_day = filters.on < timezone.localdate()
        cache.set(key, found, QUIZ_INSIGHT_PAST_DAY_FOR if past_day else QUIZ_INSIGHT_FRESH_FOR)
    return found


def quiz_insight(filters: ReportFilters, *, top_questions: int = 5) -> list[ChapterInsight]:
    """Per chapter quiz: pass rate, average attempts and the questions most often answered wrong.

    Counts are grouped in SQL (answers are unpacked from their JSON by the database), so the
    cost does not grow with the number of attempts; prompts and correct options come from the
    frozen copy of each released chapter.
    """
    filters = filters.resolved()
    attempts = _attempts_in_scope(filters)
    per_chapter = (
        attempts.values("version_id", "chapter_key")
        .annotate(
            n_learners=Count("user_id", distinct=True),
            n_attempts=Count("pk"),
            n_passed=Count("user_id", distinct=True, filter=Q(passed=True)),
            n_first_try=Count("pk", filter=Q(passed=True, number=1)),
        )
        .order_by()
    )
    stats = {(row["version_id"], str(row["chapter_key"])): row for row in per_chapter}
    if not stats:
        return []
    sql, params = _answers_sql(attempts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        answer_counts = cursor.fetchall()
    wanted_ids: dict[tuple, set[str]] = {}
    for version_id, chapter_key, question_id, _answer, _count in answer_counts:
        wanted_ids.setdefault((version_id, _uuid_text(chapter_key)), set()).add(question_id)
    chapters = sorted(
        PolicyVersionChapter.objects.filter(version_id__in={version_id for version_id, _key in stats}).select_related(
            "version__policy", "locale"
        ),
        key=lambda c: (c.version_id, c.position, c.locale.language_code != settings.LANGUAGE_CODE),
    )
    titles: dict[tuple, tuple[int, str, str]] = {}
    questions: dict[tuple, dict[str, dict]] = {}
    for chapter in chapters:
        ident = (chapter.version_id, str(chapter.chapter_key))
        if ident not in stats:
            continue
        titles.setdefault(
            ident, (chapter.position, chapter.title, f"{chapter.version.policy.title} {chapter.version.number}")
        )
        known = questions.setdefault(ident, {})
        if not chapter.has_quiz or not (wanted_ids.get(ident, set()) - set(known)):
            continue
        for block in chapter.page.questions:
            known.setdefault(
                block.id,
                {
                    "prompt": block.value["prompt"],
                    "correct": {i for i, option in enumerate(block.value["options"]) if option["is_correct"]},
                },
            )
    asked: dict[tuple, dict[str, list[int]]] = {}
    for version_id, chapter_key, question_id, answer, count in answer_counts:
        ident = (version_id, _uuid_text(chapter_key))
        selected = json.loads(answer) if isinstance(answer, str) else answer
        correct = questions.get(ident, {}).get(question_id, {}).get("correct")
        tally = asked.setdefault(ident, {}).setdefault(question_id, [0, 0])
        tally[0] += count
        if correct is None or set(selected or []) != correct:
            tally[1] += count
    insights = []
    for ident, entry in stats.items():
        known = questions.get(ident, {})
        position, title, version_name = titles.get(ident, (0, ident[1], str(ident[0])))
        question_rows = [
            QuestionInsight(
                question_id=question_id,
                prompt=known.get(question_id, {}).get("prompt", question_id),
                asked=tally[0],
                wrong=tally[1],
            )
            for question_id, tally in asked.get(ident, {}).items()
        ]
        question_rows.sort(key=lambda q: (-q.wrong_rate, -q.wrong, q.prompt))
        insights.append(
            ChapterInsight(
                version=version_name,
                position=position,
                chapter_key=ident[1],
                title=title,
                learners=entry["n_learners"],
                attempts=entry["n_attempts"],
                passed=entry["n_passed"],
                first_try=entry["n_first_try"],
                questions=[q for q in question_rows if q.wrong][:top_questions],
            )
        )
    insights.sort(key=lambda c: (c.version, c.position))
    return insights
