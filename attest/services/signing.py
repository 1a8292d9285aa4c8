"""Signing: the statement an employee signs and the attestation that records it, chained and checkpointed."""

import ipaddress
import secrets
import unicodedata
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from training.models import PolicyVersion
from training.selectors import LearnerProgress
from training.xapi.outbox import xapi_enabled

from .. import chain
from ..models import Assignment, Attestation, AttestationChainHead
from ..selectors import assignment_progress
from ..xapi import attestation_statements_record

ERROR_NOT_READY = _("Read every chapter and pass every quiz before you sign.")


ERROR_NAME_MISMATCH = _("Type your full name exactly as it appears here: %(name)s.")


ERROR_NO_EMPLOYEE = _("Your account is not linked to an employee record. Contact HR.")


STATEMENT = _(
    "I, %(name)s, confirm that I have read and understood “%(policy)s”, version %(version)s, effective "
    "%(effective)s, that I have passed its quizzes, and that I will comply with it. I understand that "
    "this electronic signature has the same meaning as my handwritten signature."
)


class AttestationError(Exception):
    pass


def _normalise_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def attestation_statement(*, name: str, version: PolicyVersion, language: str) -> str:
    """The exact sentence an employee called ``name`` signs, in the language they read the policy in."""
    with override(language):
        return str(STATEMENT) % {
            "name": name,
            "policy": version.title_in(language),
            "version": version.number,
            "effective": date_format(version.effective_date, "DATE_FORMAT"),
        }


@dataclass(frozen=True)
class SigningContext:
    ip_address: str | None
    user_agent: str
    auth_method: str


def _clean_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def attestation_create(
    *,
    assignment: Assignment,
    typed_name: str,
    context: SigningContext,
    corrects=None,
    progress: LearnerProgress | None = None,
) -> Attestation:
    """Sign the assignment's version. Signing twice returns the first record: exactly one
    attestation per assignment, guaranteed by a unique constraint.

    ``progress`` may be the caller's ``assignment_progress(assignment)`` of this same request (the
    signing view has just computed it), saving a second read. Everything the record needs is read
    before the chain lane's head is locked, so the lock is held only for the insert, the two
    updates and the commit: concurrent signers in one lane wait for each other as little as possible."""
    employee, version = assignment.employee, assignment.version
    if _normalise_name(typed_name) != _normalise_name(employee.full_name):
        raise AttestationError(ERROR_NAME_MISMATCH % {"name": employee.full_name})
    if assignment.attestation_id and corrects is None:
        return assignment.attestation
    if progress is None or progress.version.pk != version.pk:
        progress = assignment_progress(assignment)
    if not progress.complete:
        raise AttestationError(ERROR_NOT_READY)
    locale_code = progress.reading_locale
    record = Attestation(
        verification_code=secrets.token_hex(8).upper(),
        user=employee.user,
        employee=employee,
        employee_number=employee.employee_id,
        typed_name=" ".join(typed_name.split()),
        policy_id=version.policy_id,
        policy_title=version.title_in(locale_code),
        version=version,
        version_number=version.number,
        assignment=assignment,
        locale_code=locale_code,
        content_sha256=version.content_sha256_in(locale_code),
        statement=attestation_statement(name=employee.full_name, version=version, language=locale_code),
        auth_method=context.auth_method,
        ip_address=_clean_ip(context.ip_address),
        user_agent=context.user_agent[:500],
        quiz_results=progress.quiz_results,
        corrects=corrects,
    )
    lane = chain.lane_for(employee.pk)
    try:  # one query, except for a lane's very first record, which creates the head
        head = AttestationChainHead.objects.select_for_update().get(lane=lane)
    except AttestationChainHead.DoesNotExist:
        head = chain.head_for_update(lane)
    record.signed_at = timezone.now()  # under the lock: within a lane, time follows the chain
    record.chain_lane, record.chain_seq, record.previous_hash = head.lane, head.seq + 1, head.record_hash
    record.record_hash = chain.record_hash(record)
    try:
        with transaction.atomic():
            record.save(force_insert=True)
    except IntegrityError:
        return Attestation.objects.get(assignment=assignment, corrects__isnull=True)
    AttestationChainHead.objects.filter(lane=head.lane).update(seq=record.chain_seq, record_hash=record.record_hash)
    transaction.on_commit(_checkpoint_soon, robust=True)  # the signature stands even if queueing fails
    completing = Assignment.objects.open().filter(Q(pk=assignment.pk) | Q(employee=employee, version=version))
    completed_ids = list(completing.values_list("pk", flat=True)) if xapi_enabled() else []
    completing.update(
        completed_at=record.signed_at,
        completed_on=timezone.localdate(record.signed_at),
        attestation=record,
        signed_locale=record.locale_code,
    )
    if xapi_enabled():
        attestation_statements_record(record=record, assignment_ids=completed_ids)
    return record


def _checkpoint_soon() -> None:
    """Anchor the new record outside the database within minutes (``attest.checkpoints``)."""
    from ..tasks import checkpoint_soon  # tasks imports this module

    checkpoint_soon()
