"""HR's grants of quiz attempts: more attempts, or a fresh start, recorded with a reason."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from training.models import QuizAttemptGrant
from training.selectors import quiz_allowance
from training.services import quiz_attempts_grant

from ..models import Assignment
from ..selectors import assignment_progress, assignment_window_start
from .signing import AttestationError

ERROR_GRANT_REASON = _("Give a reason for giving more quiz attempts.")


ERROR_GRANT_NOT_OPEN = _("Quiz attempts can only be given on an open assignment.")


ERROR_GRANT_NO_QUIZ = _("This chapter has no quiz with an attempt limit in this assignment.")


ERROR_GRANT_NOTHING_TO_RESET = _("No attempts have been used at this quiz: there is nothing to reset.")


ERROR_GRANT_ATTEMPTS = _("Give between 1 and 10 more attempts.")


QUIZ_GRANT_MAX = 10


@transaction.atomic
def quiz_attempts_give(
    *, assignment: Assignment, chapter_key, reason: str, by, reset: bool, attempts: int | None = None
) -> QuizAttemptGrant:
    """Let someone try a chapter quiz again: ``reset`` restores the chapter's full limit (a grant of
    the attempts used), otherwise ``attempts`` more are added. Recorded in the audit log with why."""
    reason = reason.strip()
    if not reason:
        raise AttestationError(ERROR_GRANT_REASON)
    if not Assignment.objects.open().filter(pk=assignment.pk).exists():
        raise AttestationError(ERROR_GRANT_NOT_OPEN)
    progress = assignment_progress(assignment)
    chapter = next(
        (s.chapter for s in progress.chapters if str(s.chapter.chapter_key) == str(chapter_key) and s.chapter.has_quiz),
        None,
    )
    if chapter is None or not chapter.page.attempt_limit:
        raise AttestationError(ERROR_GRANT_NO_QUIZ)
    allowance = quiz_allowance(
        user=assignment.employee.user, chapter=chapter, since=assignment_window_start(assignment)
    )
    if reset:
        attempts = allowance.used - allowance.granted
        if attempts < 1:
            raise AttestationError(ERROR_GRANT_NOTHING_TO_RESET)
    elif not attempts or not 1 <= attempts <= QUIZ_GRANT_MAX:
        raise AttestationError(ERROR_GRANT_ATTEMPTS)
    grant = quiz_attempts_grant(
        user=assignment.employee.user,
        version_id=assignment.version_id,
        chapter_key=chapter.chapter_key,
        attempts=attempts,
        reason=reason,
        by=by,
    )
    log(
        instance=assignment,
        action="attest.quiz_attempts_give",
        user=by,
        data={"chapter": chapter.title, "attempts": attempts, "reset": reset, "reason": reason},
    )
    return grant
