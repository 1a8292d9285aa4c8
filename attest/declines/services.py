"""Writes: an employee declines to sign; HR or legal respond. Each is one row written once,
and each tells the people concerned by email (through the task worker, once committed)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from training.models import PolicyVersionChapter
from training.selectors import LearnerProgress

from ..models import Assignment
from .models import Decline, DeclineReason

ERROR_REASON = _("Choose why you are not signing.")
ERROR_TEXT = _("Explain in a few words what you disagree with or do not understand.")
ERROR_CHAPTER = _("Choose the chapter your reason is about.")
ERROR_UNKNOWN_CHAPTER = _("Choose one of the chapters of this version.")
ERROR_ALREADY_DECLINED = _("You have already declined; HR will respond to you. You may still sign at any time.")
ERROR_RESPONSE = _("Write the response the employee will receive.")
ERROR_ALREADY_ANSWERED = _("This decline has already been answered; a response is written once.")
TEXT_MAX = 4000

LOG_DECLINED = "attest.decline_create"
LOG_RESPONDED = "attest.decline_respond"


class DeclineError(Exception):
    pass


@transaction.atomic
def decline_create(
    *,
    assignment: Assignment,
    progress: LearnerProgress,
    user,
    reason: str,
    text: str,
    chapter: PolicyVersionChapter | None = None,
) -> Decline:
    """Record that the holder of ``assignment`` declines to sign its version, with what they were
    shown (``progress``: the reading language and so the content hash) and why. One decline per
    assignment may await a response at a time (a unique constraint)."""
    text = text.strip()
    if reason not in DeclineReason.values:
        raise DeclineError(ERROR_REASON)
    if not text:
        raise DeclineError(ERROR_TEXT)
    if chapter is None and reason != DeclineReason.OTHER:
        raise DeclineError(ERROR_CHAPTER)
    if chapter is not None and chapter.pk not in {status.chapter.pk for status in progress.chapters}:
        raise DeclineError(ERROR_UNKNOWN_CHAPTER)
    version = assignment.version
    decline = Decline(
        assignment=assignment,
        employee=assignment.employee,
        user=user,
        version=version,
        locale_code=progress.reading_locale,
        content_sha256=version.content_sha256_in(progress.reading_locale),
        declined_at=timezone.now(),
        reason=reason,
        chapter=chapter,
        text=text[:TEXT_MAX],
    )
    decline.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            decline.save(force_insert=True)
    except IntegrityError as error:
        raise DeclineError(ERROR_ALREADY_DECLINED) from error
    log(instance=assignment, action=LOG_DECLINED, user=user, data={"decline": decline.pk, "reason": reason})
    transaction.on_commit(lambda: _enqueue("notify_decline", decline.pk), robust=True)
    return decline


@transaction.atomic
def decline_respond(*, decline: Decline, response: str, by) -> Decline:
    """HR's or legal's answer, written once; the employee is told by email. Answering does not
    sign for anyone: the employee signs (or declines again) themselves."""
    response = response.strip()
    if not response:
        raise DeclineError(ERROR_RESPONSE)
    now = timezone.now()
    updated = Decline.objects.filter(pk=decline.pk, responded_at__isnull=True).update(
        responded_at=now, responded_by=by, response=response
    )
    if not updated:
        raise DeclineError(ERROR_ALREADY_ANSWERED)
    decline.refresh_from_db()
    log(instance=decline.assignment, action=LOG_RESPONDED, user=by, data={"decline": decline.pk})
    transaction.on_commit(lambda: _enqueue("notify_response", decline.pk), robust=True)
    return decline


def _enqueue(name: str, decline_id: int) -> None:
    from . import tasks  # tasks import the emails, which import the reminders

    getattr(tasks, name).enqueue(decline_id)
