"""Demo declines: one person in Marcus's team declined the latest version and waits for HR; another
declined earlier and has HR's answer (so may now sign). Written through the real services."""

from django.contrib.auth import get_user_model

from attest.declines.models import Decline, DeclineReason
from attest.declines.services import decline_create, decline_respond
from attest.models import Assignment, EmployeeStatus
from attest.selectors import assignment_progress, assignment_window_start
from cms.simulation import passing_answers
from training.services import quiz_attempt_start, quiz_attempt_submit, reading_record

MANAGER = "marcus.berg@northwind.example"
RESPONDER = "ingrid.hansen@northwind.example"

WAITING = (
    DeclineReason.DISAGREE,
    "I run a small photography account in my own name. As I read it, this chapter would stop me from "
    "mentioning where I work even in my profile, which seems more than the company needs.",
)
ANSWERED = (
    DeclineReason.UNCLEAR,
    "Does the rule about answering customers apply when a friend asks me about our prices in a private message?",
)
ANSWER = (
    "Thank you for asking before signing. A private message to a friend is not an official answer: you may say "
    "where prices are published, but do not quote offers or promise anything on the company's behalf. If the "
    "friend has a complaint, point them to customer service. Sign when you are ready."
)


def _read_and_pass(assignment: Assignment):
    """Everything before the signature, as the employee would do it on the pages."""
    employee = assignment.employee
    since = assignment_window_start(assignment)
    for status in assignment_progress(assignment).chapters:
        if status.carried_over:
            continue
        reading_record(user=employee.user, chapter=status.chapter)
        if status.chapter.has_quiz and not status.passed:
            attempt = quiz_attempt_start(user=employee.user, chapter=status.chapter, since=since)
            answers = passing_answers(status.chapter, attempt)
            quiz_attempt_submit(user=employee.user, chapter=status.chapter, attempt_id=attempt.pk, answers=answers)
    return assignment_progress(assignment)


def declines_load(*, exclude_emails: set[str], say) -> None:
    if Decline.objects.exists():
        return
    candidates = list(
        Assignment.objects.open()
        .filter(employee__manager__email=MANAGER, employee__status=EmployeeStatus.ACTIVE)
        .exclude(employee__email__in=exclude_emails)
        .select_related("employee__user", "version")
        .order_by("-version__released_at", "employee__last_name", "pk")[:2]
    )
    if len(candidates) < 2:
        return
    say("Recording two declined signatures (one answered by HR)…")
    responder = get_user_model().objects.get(email=RESPONDER)
    for assignment, (reason, text) in zip(candidates, (WAITING, ANSWERED), strict=True):
        progress = _read_and_pass(assignment)
        chapter = progress.chapters[
            min(1, len(progress.chapters) - 1) if reason == DeclineReason.DISAGREE else 0
        ].chapter
        decline = decline_create(
            assignment=assignment,
            progress=progress,
            user=assignment.employee.user,
            reason=reason,
            text=text,
            chapter=chapter,
        )
        if reason == DeclineReason.UNCLEAR:
            decline_respond(decline=decline, response=ANSWER, by=responder)
