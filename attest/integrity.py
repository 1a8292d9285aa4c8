"""Everything ``verify_attestations`` checks: the hash chain, the chain against the signed
checkpoints, the released versions' hashes, and that the assignments every report counts agree
with the evidence (a completion needs an attestation, an exemption its audit entry).

Reads only; an auditor runs it on a restored dump with nothing but the public keys and a copy of
the checkpoints.
"""

import datetime
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db.models import F
from wagtail.models import ModelLogEntry

from training.models import PolicyVersionLocale

from . import chain
from .checkpoints import Checkpoint, checkpoints_read
from .models import Assignment, Attestation

EXEMPT_ACTION = "attest.assignment_exempt"


@dataclass
class IntegrityReport:
    attestations: int = 0
    checkpoints: int = 0
    latest_checkpoint: str = ""
    problems: list[str] = field(default_factory=list)


def _anchors(checkpoints: list[Checkpoint], uncovered_before: datetime.datetime) -> chain.Anchors:
    anchors = chain.Anchors(uncovered_before=uncovered_before)
    for checkpoint in checkpoints:
        for lane in checkpoint.document["lanes"]:
            number, seq = int(lane["lane"]), int(lane["seq"])
            anchors.covered[number] = max(anchors.covered.get(number, 0), seq)
            if seq:
                pins = anchors.pins.setdefault(number, {}).setdefault(seq, [])
                if all(pin.record_hash != lane["hash"] for pin in pins):
                    pins.append(chain.Pin(checkpoint=checkpoint.name, record_hash=lane["hash"]))
    return anchors


def _version_problems(checkpoints: list[Checkpoint]) -> list[str]:
    """A released version's hash never changes: every checkpoint that saw it must agree with the database."""
    current = {
        (version, language): digest
        for version, language, digest in PolicyVersionLocale.objects.values_list(
            "version_id", "locale__language_code", "content_sha256"
        )
    }
    problems, reported = [], set()
    for checkpoint in checkpoints:
        for entry in checkpoint.document["versions"]:
            key = (entry["version"], entry["language"])
            if key in reported or current.get(key) == entry["content_sha256"]:
                continue
            reported.add(key)
            state = "is missing" if key not in current else "has a different content hash"
            problems.append(
                f"version {entry['number']} (id {entry['version']}), language {entry['language']}: {state} "
                f"in the database, unlike in the signed checkpoint {checkpoint.name}"
            )
    return problems


def assignment_problems() -> list[str]:
    """Every completed assignment points at a valid attestation of the same employee and version,
    signed when the assignment says it was completed; every attestation completed its own
    assignment; every exemption has its audit entry with the same reason and person."""
    problems = []
    completed = (
        Assignment.objects.filter(completed_at__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "employee_id",
            "version_id",
            "completed_at",
            "attestation_id",
            "attestation__employee_id",
            "attestation__version_id",
            "attestation__signed_at",
        )
    )
    for pk, employee, version, completed_at, attestation, signer, signed_version, signed_at in completed.iterator(
        chunk_size=5000
    ):
        if attestation is None:
            problems.append(f"assignment {pk}: completed without an attestation")
        elif signer != employee or signed_version != version:
            problems.append(f"assignment {pk}: completed by attestation {attestation} of another employee or version")
        elif signed_at != completed_at:
            problems.append(
                f"assignment {pk}: its completion time differs from attestation {attestation}'s signing time"
            )
    unclaimed = (
        Attestation.objects.filter(corrects__isnull=True)
        .exclude(assignment__attestation_id=F("pk"))
        .order_by("pk")
        .values_list("pk", "verification_code", "assignment_id")
    )
    for pk, code, assignment in unclaimed.iterator(chunk_size=5000):
        problems.append(f"attestation {pk} ({code}): its assignment {assignment} is not marked completed by it")

    audited: dict[str, list[tuple[int | None, str]]] = {}
    for object_id, user, data in ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment), action=EXEMPT_ACTION
    ).values_list("object_id", "user_id", "data"):
        audited.setdefault(object_id, []).append((user, (data or {}).get("reason", "")))
    exempted = (
        Assignment.objects.filter(exempted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "exempted_by_id", "exemption_reason")
    )
    for pk, by, reason in exempted.iterator(chunk_size=5000):
        entries = audited.get(str(pk), [])
        if not entries:
            problems.append(f"assignment {pk}: exempt without an audit log entry")
        elif (by, reason) not in entries:
            problems.append(f"assignment {pk}: its exemption's reason or author differs from the audit log")
    return problems


def integrity_verify(
    *,
    public_keys: dict[str, Ed25519PublicKey],
    storage: Storage | None,
    as_of: datetime.datetime,
) -> IntegrityReport:
    """Check everything. Without ``public_keys`` the checkpoints are not checked (the caller says so)."""
    report = IntegrityReport()
    checkpoints: list[Checkpoint] = []
    if public_keys and storage is not None:
        read = checkpoints_read(storage, public_keys)
        for checkpoint in read:
            if checkpoint.problem:
                report.problems.append(f"checkpoint {checkpoint.name}: {checkpoint.problem}")
        checkpoints = [checkpoint for checkpoint in read if not checkpoint.problem]
        report.checkpoints = len(checkpoints)
        report.latest_checkpoint = checkpoints[-1].created_at if checkpoints else ""
        grace = datetime.timedelta(minutes=settings.ATTEST_CHECKPOINT_GRACE_MINUTES)
        anchors = _anchors(checkpoints, as_of - grace)
    else:
        anchors = None
    report.attestations, chain_problems = chain.verify_chain(anchors)
    report.problems += [str(problem) for problem in chain_problems]
    report.problems += _version_problems(checkpoints)
    report.problems += assignment_problems()
    return report
