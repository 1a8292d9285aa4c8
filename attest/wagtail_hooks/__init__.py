"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import people, questions, quiz_attempts, records, reports  # noqa: F401
