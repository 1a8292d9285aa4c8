"""One employee's training history, for their record in the admin: every assignment, a summary of
their quiz attempts per policy version, and their sign-in email changes. Reads only, in a fixed
number of queries however long the history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from training.models import QuizAttempt

from .models import Assignment, Employee, IdentityChange
from .selectors import OPEN_STATUSES
from .status import AssignmentStatus


@dataclass(frozen=True)
class QuizSummary:
    """A person's attempts at the quizzes of one policy version."""

    version: str
    chapters: int
    attempts: int
    passed_chapters: int
    best_score: int | None
    last_at: object


@dataclass(frozen=True)
class History:
    assignments: list[Assignment]
    quizzes: list[QuizSummary]
    identity_changes: list[IdentityChange]


def employee_history(employee: Employee) -> History:
    """Four queries: assignments (with version, requirement, policy and attestation), attempts
    grouped by version, the versions' names, and identity changes."""
    assignments = list(
        Assignment.objects.with_status()
        .filter(employee=employee)
        .select_related("requirement", "version__policy", "attestation")
        .order_by("-assigned_on", "-pk")
    )
    for assignment in assignments:
        assignment.is_open = assignment.status in OPEN_STATUSES
        assignment.status_label = AssignmentStatus(assignment.status).label
    per_version = list(
        QuizAttempt.objects.filter(user_id=employee.user_id, submitted_at__isnull=False)
        .values("version_id", "version__number", "version__policy__title")
        .annotate(
            chapters=Count("chapter_key", distinct=True),
            attempts=Count("pk"),
            passed_chapters=Count("chapter_key", filter=Q(passed=True), distinct=True),
            best_score=Max("score"),
            last_at=Max("submitted_at"),
        )
        .order_by("-last_at")
    )
    quizzes = [
        QuizSummary(
            version=f"{row['version__policy__title']} {row['version__number']}",
            chapters=row["chapters"],
            attempts=row["attempts"],
            passed_chapters=row["passed_chapters"],
            best_score=row["best_score"],
            last_at=row["last_at"],
        )
        for row in per_version
    ]
    changes = list(
        IdentityChange.objects.filter(employee=employee)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at")
    )
    return History(assignments=assignments, quizzes=quizzes, identity_changes=changes)
