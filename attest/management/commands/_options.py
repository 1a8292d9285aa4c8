"""Options shared by the attest commands."""

import datetime

from django.core.management.base import CommandError

from attest.dates import iso_date


def day_option(value: str | None) -> datetime.date | None:
    """``--today``: a day written YYYY-MM-DD, or None for the real today."""
    if not value:
        return None
    try:
        return iso_date(value)
    except ValueError as error:
        raise CommandError(str(error)) from None
