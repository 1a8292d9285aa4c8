"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import api_tokens, people, quiz_attempts, records, reports  # noqa: F401
