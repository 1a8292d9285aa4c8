"""Dates written by people (roster files, command options): one reading and one set of
messages, so a roster cell and ``--today`` are judged alike."""

import datetime
import re

from django.utils.translation import gettext_lazy as _

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ERROR_DATE = _("“%(value)s” is not a date in the form YYYY-MM-DD.")
ERROR_DATE_IMPOSSIBLE = _("“%(value)s” is in the form YYYY-MM-DD but is not a real date (check the day and month).")


def iso_date(value: str) -> datetime.date:
    """``value`` as a date; ``ValueError`` carries the message to show (wrong form, or no such day)."""
    if not ISO_DATE.match(value):
        raise ValueError(str(ERROR_DATE % {"value": value}))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(str(ERROR_DATE_IMPOSSIBLE % {"value": value})) from None
