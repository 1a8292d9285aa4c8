"""Actions that change what HR enforces: signing, assignments and exemptions."""

from .assignments import (
    ERROR_EXEMPT_REASON,
    ERROR_NOT_OPEN,
    assignment_exempt,
    assignment_mark_started,
    assignments_sync,
)
from .quiz import (
    ERROR_GRANT_ATTEMPTS,
    ERROR_GRANT_NO_QUIZ,
    ERROR_GRANT_NOT_OPEN,
    ERROR_GRANT_NOTHING_TO_RESET,
    ERROR_GRANT_REASON,
    QUIZ_GRANT_MAX,
    quiz_attempts_give,
)
from .signing import (
    ERROR_NAME_MISMATCH,
    ERROR_NO_EMPLOYEE,
    ERROR_NOT_READY,
    STATEMENT,
    AttestationError,
    SigningContext,
    attestation_create,
    attestation_statement,
)

__all__ = [
    "AttestationError",
    "ERROR_EXEMPT_REASON",
    "ERROR_GRANT_ATTEMPTS",
    "ERROR_GRANT_NOTHING_TO_RESET",
    "ERROR_GRANT_NOT_OPEN",
    "ERROR_GRANT_NO_QUIZ",
    "ERROR_GRANT_REASON",
    "ERROR_NAME_MISMATCH",
    "ERROR_NOT_OPEN",
    "ERROR_NOT_READY",
    "ERROR_NO_EMPLOYEE",
    "QUIZ_GRANT_MAX",
    "STATEMENT",
    "SigningContext",
    "assignment_exempt",
    "assignment_mark_started",
    "assignments_sync",
    "attestation_create",
    "attestation_statement",
    "quiz_attempts_give",
]
