"""Admin for HR, split by concern: people and assignments, reports, signed records."""

from . import (  # noqa: F401
    api_tokens,
    declines,
    hr_actions,
    official_accounts,
    people,
    questions,
    quiz_attempts,
    records,
    reports,
    xapi,
)
