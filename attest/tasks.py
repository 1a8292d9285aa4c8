"""Background work for the task worker. Start it with ``python manage.py db_worker`` (django-tasks'
database backend); tests run tasks immediately. Arguments are JSON: dates travel as ISO strings.

Every task is idempotent, so a task that is enqueued twice, retried, or run by two workers at
once does no harm.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from . import checkpoints, questions, reminders
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
def notify_question_asked(question_id: int) -> int:
    """Tell the policy's owner (else HR) about an employee's new question."""
    return questions.question_asked_notify(question_id=question_id)


@task()
def notify_question_answered(question_id: int) -> int:
    """Tell the person who asked that their question has an answer."""
    return questions.question_answered_notify(question_id=question_id)


@task()
def sync_assignments(today: str | None = None) -> dict[str, int]:
    """Bring every assignment in line with requirements, people and released versions."""
    return assignments_sync(today=_date(today))


@task()
def write_checkpoint() -> str | None:
    """Sign the chain's state and store it outside the database (``attest.checkpoints``)."""
    return checkpoints.checkpoint_write()


def checkpoint_soon() -> None:
    """Have a checkpoint written ``ATTEST_CHECKPOINT_DELAY_SECONDS`` from now, unless one is
    already waiting: the database backend's queue is the shared state, so every app server sees
    the same pending task (two servers racing here only cost one extra checkpoint). Backends that
    cannot defer (tests run tasks immediately) write it now."""
    backend = write_checkpoint.get_backend()
    if not backend.supports_defer:
        write_checkpoint.enqueue()
        return
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=write_checkpoint.module_path).exists()
    ):
        return
    run_after = timezone.now() + datetime.timedelta(seconds=settings.ATTEST_CHECKPOINT_DELAY_SECONDS)
    write_checkpoint.using(run_after=run_after).enqueue()
