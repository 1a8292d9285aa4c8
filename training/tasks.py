"""Background work of ``training`` for the task worker (``manage.py db_worker``; see ``attest.tasks``)."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from .xapi.outbox import outbox_send


@task()
def send_xapi_statements() -> dict:
    """Send the xAPI outbox; if statements wait for their back-off, come back when it runs out."""
    report = outbox_send()
    if report.next_try_at is not None:
        send_soon(at=report.next_try_at)
    return report.as_dict()


def send_soon(at: datetime.datetime | None = None) -> None:
    """Have the outbox sent now (``at`` None) or at ``at``, unless a waiting task will run by then:
    the database backend's queue is shared by every app server and worker. Backends that cannot
    defer (tests run tasks immediately) send now, and never schedule a retry of their own."""
    backend = send_xapi_statements.get_backend()
    if not backend.supports_defer:
        if at is None:
            send_xapi_statements.enqueue()
        return
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if (
        isinstance(backend, DatabaseBackend)
        and DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=send_xapi_statements.module_path)
        .filter(Q(run_after=get_date_max()) | Q(run_after__lte=at or timezone.now()))
        .exists()
    ):
        return
    if at is None or at <= timezone.now():
        send_xapi_statements.enqueue()
    else:
        send_xapi_statements.using(run_after=at).enqueue()
