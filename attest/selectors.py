"""Reads about people, assignments and attestations. Nothing here writes."""

import datetime
from dataclasses import dataclass, field

from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from training.models import PolicyVersion, PolicyVersionChapter, Track
from training.selectors import (
    LearnerProgress,
    QuizAllowance,
    chapters_changed_between,
    chapters_released_lagging,
    learner_progress,
    quiz_allowance,
)

from .hierarchy import in_line, line_prefix
from .models import Assignment, Attestation, Employee, RequirementKind
from .status import AssignmentStatus

OPEN_STATUSES = {
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.OVERDUE,
    AssignmentStatus.DECLINED,  # may still sign at any time
}


def _reattesting(assignment: Assignment) -> bool:
    return assignment.requirement.kind == RequirementKind.REATTESTATION


def assignment_window_start(assignment: Assignment) -> datetime.datetime | None:
    """Reading and quizzes count for an assignment from the day it was assigned: a refresher
    on an unchanged version is done again, not carried over from last year. A re-attestation
    counts everything done on its version."""
    if _reattesting(assignment):
        return None
    start = datetime.datetime.combine(assignment.assigned_on, datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(days=1)


def assignment_progress(assignment: Assignment) -> LearnerProgress:
    """What counts towards this assignment. A re-attestation asks only for the chapters that
    changed; chapters the employee completed before with the same text count as done."""
    employee = assignment.employee
    return learner_progress(
        user=employee.user,
        version=assignment.version,
        track=employee.track,
        language=employee.language,
        since=assignment_window_start(assignment),
        reuse_unchanged=_reattesting(assignment),
    )


def employee_for_user(user) -> Employee | None:
    if not user.is_authenticated:
        return None
    return Employee.objects.filter(user=user).first()


@dataclass
class ReattestationContext:
    """What changed since the version this employee last signed."""

    previous: PolicyVersion
    key_changes: list[str]
    changed_chapters: list[PolicyVersionChapter]
    untranslated_changes: list[str]


@dataclass
class TrainingItem:
    assignment: Assignment
    status: str
    progress: LearnerProgress | None
    reattestation: ReattestationContext | None = None
    also: list[Assignment] = field(default_factory=list)  # other requirements one signature meets

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def requirement_names(self) -> list[str]:
        return [self.assignment.requirement.display_name, *(other.requirement.display_name for other in self.also)]

    @property
    def started(self) -> bool:
        """Anything done counts, also chapters carried over from a version signed before."""
        return bool(self.progress) and (self.progress.started or self.progress.done_count > 0)

    @property
    def shown_status(self) -> str:
        """The status on the card: "assigned" becomes "in progress" once anything is done."""
        if self.status == AssignmentStatus.ASSIGNED and self.started:
            return AssignmentStatus.IN_PROGRESS
        return self.status

    @property
    def policy_title(self) -> str:
        if self.progress:
            return self.progress.policy_title
        return self.assignment.version.title_in(self.assignment.employee.language)


def reattestation_context(*, assignment: Assignment) -> ReattestationContext | None:
    previous_attestation = (
        Attestation.objects.filter(employee=assignment.employee, policy_id=assignment.version.policy_id)
        .exclude(version=assignment.version)
        .select_related("version")
        .order_by("-signed_at")
        .first()
    )
    if previous_attestation is None:
        return None
    previous = previous_attestation.version
    newer = list(
        PolicyVersion.objects.filter(
            policy_id=assignment.version.policy_id,
            released_at__gt=previous.released_at,
            released_at__lte=assignment.version.released_at,
        ).order_by("released_at")
    )
    language = assignment.employee.language
    return ReattestationContext(
        previous=previous,
        key_changes=[change for version in newer for change in version.key_change_list_in(language)],
        changed_chapters=chapters_changed_between(
            old=previous,
            new=assignment.version,
            language=language,
            signed_language=previous_attestation.locale_code or None,
        ),
        untranslated_changes=chapters_released_lagging(versions=newer, new=assignment.version, language=language),
    )


def training_item(*, assignment: Assignment) -> TrainingItem:
    return TrainingItem(
        assignment=assignment,
        status=assignment.status,
        progress=assignment_progress(assignment),
        reattestation=reattestation_context(assignment=assignment)
        if assignment.version.requires_reattestation
        else None,
    )


def my_training(*, user) -> list[TrainingItem]:
    """Everything the signed-in employee must do or has done, open items first. Open assignments
    of the same version share one card (the earliest due leads): one signature completes them all,
    so they are one piece of work; each keeps its own row for reports."""
    employee = employee_for_user(user)
    if employee is None:
        return []
    assignments = (
        Assignment.objects.filter(employee=employee)
        .exclude(cancelled_at__isnull=False)
        .with_status()
        .select_related("employee__user", "version__policy", "requirement", "attestation", "exempted_by")
        .order_by(F("completed_at").asc(nulls_first=True), "due_on")
    )
    items = []
    open_by_version: dict[int, TrainingItem] = {}
    for assignment in assignments:
        if assignment.status in OPEN_STATUSES:
            card = open_by_version.get(assignment.version_id)
            if card is not None:  # one signature completes every open assignment of a version
                card.also.append(assignment)
                continue
            card = open_by_version[assignment.version_id] = training_item(assignment=assignment)
            items.append(card)
        else:
            items.append(TrainingItem(assignment=assignment, status=assignment.status, progress=None))
    return items


def assignment_for_user(*, user, assignment_id: int) -> Assignment:
    """The signed-in employee's own assignment, or 404: nobody reaches another's by guessing ids."""
    return get_object_or_404(
        Assignment.objects.with_status().select_related("employee__user", "version__policy", "requirement"),
        pk=assignment_id,
        employee__user=user,
        cancelled_at__isnull=True,
    )


def open_assignment_for_user(*, user, assignment_id: int) -> Assignment | None:
    """The signed-in employee's own assignment while it is open, None once it is finished, 404
    if it is not theirs. Every step of reading, quizzes and signing starts here, so the common
    case is one narrow query: no status expression, no policy page, and the account is the
    caller's own ``user``."""
    try:
        assignment = (
            Assignment.objects.open()
            .select_related("employee", "version", "requirement")
            .get(pk=assignment_id, employee__user=user)
        )
    except Assignment.DoesNotExist:
        assignment_for_user(user=user, assignment_id=assignment_id)  # 404 unless it is theirs
        return None
    assignment.employee.user = user
    return assignment


def manages_anyone(*, user) -> bool:
    """Whether someone reports to this account's employee (who may then open /team/)."""
    return Employee.objects.filter(manager__user=user).exists()


def in_reporting_line(*, manager: Employee, employee_id: int) -> bool:
    """Whether someone reports to ``manager``, directly or indirectly."""
    return Employee.objects.filter(in_line(line_prefix(manager)), pk=employee_id).exists()


def attestation_visible_to(*, user, code: str) -> Attestation:
    """The attestation behind a certificate, if ``user`` may see it: its signer, their managers, or HR."""
    if not _looks_like_a_code(code):
        raise Http404
    attestation = get_object_or_404(
        Attestation.objects.select_related("employee", "version", "policy"), verification_code=code
    )
    if attestation.user_id == user.pk or user.has_perm("attest.view_attestation"):
        return attestation
    viewer = employee_for_user(user)
    if viewer and in_reporting_line(manager=viewer, employee_id=attestation.employee_id):
        return attestation
    raise Http404


def _looks_like_a_code(code: str) -> bool:
    """Verification codes are short and alphanumeric; anything else (a NUL byte, which PostgreSQL
    refuses outright) is never looked up."""
    return code.isalnum() and len(code) <= 32


def attestation_by_code(code: str) -> Attestation | None:
    if not _looks_like_a_code(code):
        return None
    return Attestation.objects.filter(verification_code=code.upper()).select_related("employee").first()


@dataclass
class ChapterQuizAllowance:
    chapter: PolicyVersionChapter
    allowance: QuizAllowance


def assignment_quiz_allowances(assignment: Assignment) -> list[ChapterQuizAllowance]:
    """For HR: each limited chapter quiz of an assignment with the attempts used and left."""
    since = assignment_window_start(assignment)
    return [
        ChapterQuizAllowance(
            chapter=status.chapter,
            allowance=quiz_allowance(user=assignment.employee.user, chapter=status.chapter, since=since),
        )
        for status in assignment_progress(assignment).chapters
        if status.chapter.has_quiz and status.chapter.page.attempt_limit
    ]


def transcript(*, employee: Employee) -> list[Attestation]:
    """Every attestation one person signed, newest first, with what the page shows: one query."""
    return list(
        Attestation.objects.filter(employee=employee)
        .select_related("version", "assignment__requirement")
        .order_by("-signed_at", "-pk")
    )


def transcript_employee(*, user, employee_id: int | None = None) -> Employee:
    """Whose transcript ``user`` may open: their own, or anyone's for HR (who may see attestations)."""
    if employee_id is None:
        employee = employee_for_user(user)
        if employee is None:
            raise Http404
        return employee
    if not user.has_perm("attest.view_attestation"):
        raise Http404
    return get_object_or_404(Employee, pk=employee_id)


def signed_language(assignment: Assignment) -> str:
    return assignment.signed_locale or assignment.employee.language


def signed_chapters(assignment: Assignment) -> list[PolicyVersionChapter]:
    """The chapters of the version as signed (the signer's track, in the language they signed)."""
    return list(
        PolicyVersionChapter.objects.to_read(
            version=assignment.version, track=assignment.employee.track, language=signed_language(assignment)
        )
    )


def signed_chapter(assignment: Assignment, slug: str) -> PolicyVersionChapter:
    """One chapter of a finished assignment's version, exactly as released, in the signed language."""
    chapter = PolicyVersionChapter.objects.for_reading(
        version=assignment.version, slug=slug, language=signed_language(assignment)
    )
    if chapter is None or chapter.track not in Track.chapters_for(assignment.employee.track):
        raise Http404
    return chapter
