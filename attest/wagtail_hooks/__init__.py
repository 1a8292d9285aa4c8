"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import declines, people, quiz_attempts, records, reports  # noqa: F401
