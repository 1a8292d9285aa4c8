"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import api_tokens, declines, hr_actions, official_accounts, people, quiz_attempts, records, reports, xapi  # noqa: F401
