"""The attestation hash chain.

Records are spread over ``ATTEST_CHAIN_LANES`` independent chains (by employee), so concurrent
signers of different lanes never wait for each other; within a lane, the lane's head row is
locked for the length of one insert. Each record's hash covers all its fields and the previous
record's hash in its lane, so a changed, inserted or deleted record breaks the chain, and the
head row reveals a deleted tail.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from training.hashing import sha256_of

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "verification_code",
    "user_id",
    "employee_id",
    "employee_number",
    "typed_name",
    "policy_id",
    "policy_title",
    "version_id",
    "version_number",
    "assignment_id",
    "locale_code",
    "content_sha256",
    "statement",
    "signed_at",
    "auth_method",
    "ip_address",
    "user_agent",
    "quiz_results",
    "corrects_id",
    "chain_lane",
    "chain_seq",
    "previous_hash",
)


def lane_for(employee_pk: int) -> int:
    return employee_pk % settings.ATTEST_CHAIN_LANES


def head_for_update(lane: int):
    """Lock and return the lane's head until the transaction ends (must run inside one)."""
    from .models import AttestationChainHead

    AttestationChainHead.objects.get_or_create(lane=lane, defaults={"seq": 0, "record_hash": GENESIS_HASH})
    return AttestationChainHead.objects.select_for_update().get(lane=lane)


def record_hash(record) -> str:
    data = {name: getattr(record, name) for name in HASHED_FIELDS}
    data["signed_at"] = record.signed_at.isoformat(timespec="microseconds")
    return sha256_of(data)


@dataclass
class ChainProblem:
    lane: int
    seq: int
    record_id: int | None
    verification_code: str
    message: str

    def __str__(self):
        return (
            f"lane {self.lane}, seq {self.seq}, attestation {self.record_id} ({self.verification_code}): {self.message}"
        )


@dataclass(frozen=True)
class Pin:
    """A lane position and the record hash a signed checkpoint saw there."""

    checkpoint: str
    record_hash: str


@dataclass
class Anchors:
    """What signed checkpoints say the chain looked like: ``pins[lane][seq]``, and how far each
    lane is covered. Records older than ``uncovered_before`` must be covered."""

    pins: dict[int, dict[int, list[Pin]]] = field(default_factory=dict)
    covered: dict[int, int] = field(default_factory=dict)
    uncovered_before: datetime.datetime | None = None


def _released_hashes() -> dict[tuple[int, str], str]:
    from training.models import PolicyVersionLocale

    return {
        (version, language): digest
        for version, language, digest in PolicyVersionLocale.objects.values_list(
            "version_id", "locale__language_code", "content_sha256"
        )
    }


def verify_chain(anchors: Anchors | None = None) -> tuple[int, list[ChainProblem]]:
    """Re-verify every record of every lane, and each against the signed checkpoints in
    ``anchors``: a lane re-hashed consistently after a checkpoint no longer matches it. Streams
    the records once. Returns the number checked and the problems found."""
    from .models import Attestation, AttestationChainHead

    anchors = anchors or Anchors()
    released = _released_hashes()
    problems: list[ChainProblem] = []
    checked = 0
    heads = {head.lane: head for head in AttestationChainHead.objects.all()}
    lanes = set(heads) | set(anchors.pins) | set(Attestation.objects.values_list("chain_lane", flat=True).distinct())
    for lane in sorted(lanes):
        expected_seq, previous = 1, GENESIS_HASH
        pins, last_matched, rewritten, uncovered = anchors.pins.get(lane, {}), 0, False, False
        for record in Attestation.objects.filter(chain_lane=lane).order_by("chain_seq").iterator(chunk_size=2000):
            checked += 1
            seq = record.chain_seq
            where = {"lane": lane, "seq": seq, "record_id": record.pk, "verification_code": record.verification_code}
            if seq != expected_seq:
                problems.append(
                    ChainProblem(**where, message=f"records {expected_seq}–{seq - 1} of this lane are missing")
                )
            if record.previous_hash != previous:
                problems.append(
                    ChainProblem(**where, message="does not follow the record before it (inserted or reordered)")
                )
            if record_hash(record) != record.record_hash:
                problems.append(ChainProblem(**where, message="its content no longer matches its hash (changed)"))
            if released.get((record.version_id, record.locale_code)) != record.content_sha256:
                problems.append(
                    ChainProblem(**where, message="its content hash is not that of the released version it names")
                )
            for pin in pins.get(seq, ()):
                if pin.record_hash == record.record_hash:
                    last_matched = seq
                elif not rewritten:
                    rewritten = True
                    problems.append(
                        ChainProblem(
                            **where,
                            message=f"does not match the signed checkpoint {pin.checkpoint}: records "
                            f"{last_matched + 1}–{seq} of this lane were rewritten after they were signed",
                        )
                    )
            if (
                not uncovered
                and anchors.uncovered_before is not None
                and seq > anchors.covered.get(lane, 0)
                and record.signed_at < anchors.uncovered_before
            ):
                uncovered = True
                problems.append(
                    ChainProblem(
                        **where,
                        message=f"signed at {record.signed_at.isoformat(timespec='seconds')} and no signed checkpoint "
                        "covers it or the records after it (checkpoints missing)",
                    )
                )
            expected_seq, previous = seq + 1, record.record_hash
        head = heads.get(lane)
        if head and (head.seq != expected_seq - 1 or head.record_hash != previous):
            problems.append(
                ChainProblem(
                    lane=lane,
                    seq=head.seq,
                    record_id=None,
                    verification_code="-",
                    message="the lane's last records were deleted",
                )
            )
        beyond = [(seq, pin) for seq, lane_pins in pins.items() if seq >= expected_seq for pin in lane_pins]
        if beyond:
            seq, pin = max(beyond, key=lambda item: item[0])
            problems.append(
                ChainProblem(
                    lane=lane,
                    seq=seq,
                    record_id=None,
                    verification_code="-",
                    message=f"the signed checkpoint {pin.checkpoint} saw records up to seq {seq}; the database ends at "
                    f"seq {expected_seq - 1} (records deleted)",
                )
            )
    return checked, problems
