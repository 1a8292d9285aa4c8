"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import hr_actions, people, quiz_attempts, records, reports  # noqa: F401
