"""A diligent employee, simulated through the real services: used by the demo and tests."""

from attest.models import Assignment, AuthMethod
from attest.selectors import assignment_progress, assignment_window_start
from attest.services import SigningContext, attestation_create
from training.models import PolicyVersionChapter
from training.services import quiz_attempt_start, quiz_attempt_submit, reading_record


def passing_answers(chapter: PolicyVersionChapter, attempt) -> dict[str, list[int]]:
    questions = {child.id: child.value for child in chapter.page.questions}
    return {
        item["question"]: [i for i, option in enumerate(questions[item["question"]]["options"]) if option["is_correct"]]
        for item in attempt.presented
    }


def complete_training(assignment: Assignment, *, user_agent: str = "demo loader"):
    """Read every chapter, pass every quiz still to pass, and sign."""
    employee = assignment.employee
    since = assignment_window_start(assignment)
    for status in assignment_progress(assignment).chapters:
        if status.carried_over:
            continue
        chapter = status.chapter
        reading_record(user=employee.user, chapter=chapter)
        if chapter.has_quiz and not status.passed:
            attempt = quiz_attempt_start(user=employee.user, chapter=chapter, since=since)
            quiz_attempt_submit(
                user=employee.user, chapter=chapter, attempt_id=attempt.pk, answers=passing_answers(chapter, attempt)
            )
    return attestation_create(
        assignment=assignment,
        typed_name=employee.full_name,
        context=SigningContext(ip_address="127.0.0.1", user_agent=user_agent, auth_method=AuthMethod.PASSWORD),
    )
