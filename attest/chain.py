"""The attestation hash chain.

Records are spread over ``ATTEST_CHAIN_LANES`` independent chains (by employee), so concurrent
signers of different lanes never wait for each other; within a lane, the lane's head row is
locked for the length of one insert. Each record's hash covers all its fields and the previous
record's hash in its lane, so a changed, inserted or deleted record breaks the chain, and the
head row reveals a deleted tail.
"""

from dataclasses import dataclass

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
        return f"lane {self.lane}, seq {self.seq}, attestation {self.record_id} ({self.verification_code}): {self.message}"


def verify_chain() -> tuple[int, list[ChainProblem]]:
    """Re-verify every record of every lane. Returns the number checked and the problems found."""
    from .models import Attestation, AttestationChainHead

    problems: list[ChainProblem] = []
    checked = 0
    heads = {head.lane: head for head in AttestationChainHead.objects.all()}
    lanes = set(heads) | set(Attestation.objects.values_list("chain_lane", flat=True).distinct())
    for lane in sorted(lanes):
        expected_seq, previous = 1, GENESIS_HASH
        for record in Attestation.objects.filter(chain_lane=lane).order_by("chain_seq").iterator(chunk_size=2000):
            checked += 1
            where = {"lane": lane, "seq": record.chain_seq, "record_id": record.pk, "verification_code": record.verification_code}
            if record.chain_seq != expected_seq:
                problems.append(ChainProblem(**where, message=f"records {expected_seq}–{record.chain_seq - 1} of this lane are missing"))
            if record.previous_hash != previous:
                problems.append(ChainProblem(**where, message="does not follow the record before it (inserted or reordered)"))
            if record_hash(record) != record.record_hash:
                problems.append(ChainProblem(**where, message="its content no longer matches its hash (changed)"))
            expected_seq, previous = record.chain_seq + 1, record.record_hash
        head = heads.get(lane)
        if head and (head.seq != expected_seq - 1 or head.record_hash != previous):
            problems.append(
                ChainProblem(lane=lane, seq=head.seq, record_id=None, verification_code="-", message="the lane's last records were deleted")
            )
    return checked, problems
