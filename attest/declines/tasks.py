"""Background work: the emails a decline and its response send (idempotent: each is logged
under a unique key, so a retried task sends nothing twice)."""

from django_tasks import task

from . import emails


@task()
def notify_decline(decline_id: int) -> int:
    """Tell HR and the policy's owner that someone declined to sign."""
    return emails.decline_notify(decline_id=decline_id)


@task()
def notify_response(decline_id: int) -> int:
    """Tell the employee how HR or legal answered their decline."""
    return emails.response_notify(decline_id=decline_id)
