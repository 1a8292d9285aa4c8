"""Background work for the task worker. Start it with ``python manage.py db_worker`` (django-tasks'
database backend); tests run tasks immediately. Arguments are JSON: dates travel as ISO strings.

Every task is idempotent, so a task that is enqueued twice, retried, or run by two workers at
once does no harm.
"""

import datetime

from django_tasks import task

from . import reminders
from .services import assignments_sync


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@task()
def send_invitations(employee_ids: list[int]) -> int:
    """Invite people the roster import has just created."""
    return reminders.invitations_send(employee_ids=employee_ids)


@task()
def send_reminders(today: str | None = None) -> dict[str, int]:
    """Employee reminders, manager escalations, the HR digest and policy review reminders."""
    return reminders.reminders_send(today=_date(today))


@task()
def sync_assignments(today: str | None = None) -> dict[str, int]:
    """Bring every assignment in line with requirements, people and released versions."""
    return assignments_sync(today=_date(today))
