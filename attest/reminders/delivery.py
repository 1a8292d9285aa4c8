"""Sending the product's emails: rendered in the recipient's language, marked as automatic, and never sent twice (a dedupe key per email in ReminderLog)."""

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override

from ..company import company_details
from ..models import ReminderLog

logger = logging.getLogger(__name__)


_BATCH = 1000


AUTOMATIC_EMAIL_HEADERS = {"Auto-Submitted": "auto-generated"}


@dataclass
class Email:
    """One email to send at most once. ``context`` may be a callable, so that costly parts (such
    as a password-reset token) are only made for mail that is actually sent."""

    kind: str
    dedupe_key: str
    recipient: str
    template: str
    language: str
    context: dict | Callable[[], dict] = field(default_factory=dict)
    employee_id: int | None = None
    assignment_id: int | None = None


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def company_context() -> dict:
    """The company's name and HR address that sign every email (also allauth's account emails)."""
    company = company_details(None)
    return {
        "company_name": company.name,
        "hr_contact_email": company.hr_contact_email,
        "site_url": absolute_url("/"),
    }


def _render(email: Email, common: dict, connection) -> EmailMultiAlternatives:
    context = email.context() if callable(email.context) else email.context
    context = {**common, **context}
    with override(email.language):
        subject = " ".join(render_to_string(f"emails/{email.template}_subject.txt", context).split())
        text = render_to_string(f"emails/{email.template}.txt", context)
        html = render_to_string(f"emails/{email.template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, to=[email.recipient], connection=connection, headers=AUTOMATIC_EMAIL_HEADERS
    )
    message.attach_alternative(html, "text/html")
    return message


def _already_sent(keys: list[str]) -> set[str]:
    found = set()
    for start in range(0, len(keys), 900):
        found.update(
            ReminderLog.objects.filter(dedupe_key__in=keys[start : start + 900]).values_list("dedupe_key", flat=True)
        )
    return found


def deliver(emails: Iterable[Email]) -> int:
    """Send each email unless its dedupe key was ever logged; return how many went out now.

    The mail server is only contacted when there is something to send (cron runs this hourly)."""
    sent = 0
    common = None
    connection = None
    try:
        for batch in _batches(emails):
            skip = _already_sent([email.dedupe_key for email in batch])
            for email in batch:
                if email.dedupe_key in skip:
                    continue
                if connection is None:
                    common = company_context()
                    connection = get_connection()
                    connection.open()
                message = _render(email, common, connection)
                try:
                    with transaction.atomic():
                        ReminderLog.objects.create(
                            kind=email.kind,
                            dedupe_key=email.dedupe_key,
                            recipient=email.recipient,
                            employee_id=email.employee_id,
                            assignment_id=email.assignment_id,
                            sent_at=timezone.now(),
                        )
                        message.send()
                except IntegrityError:
                    continue  # another run sent it in the meantime
                except (SMTPException, OSError):
                    logger.exception("Could not send %s to %s; it will be retried.", email.dedupe_key, email.recipient)
                    continue
                sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent


def _batches(emails: Iterable[Email]) -> Iterator[list[Email]]:
    batch = []
    for email in emails:
        batch.append(email)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
