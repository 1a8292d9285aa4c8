"""The outbox: record a statement with its event, send the outbox to the learning record store.

Recording writes a row in the caller's transaction (so a statement exists exactly when its event
does) and, once that commits, asks the task worker to send (``training.tasks``). Nothing is
written when ``XAPI_LRS_ENDPOINT`` is empty.

Sending POSTs batches (a JSON array) to ``{endpoint}/statements`` with HTTP Basic auth. Every
statement keeps the id it was given at the event, so a batch sent twice (a worker killed after
the POST, two workers at once) is stored once. What the store's answer means:

* 2xx: sent.
* no answer, 5xx, 429 (honouring ``Retry-After``), and 401, 403, 404, 407, 408 (about the
  connection or its credentials, not the statements): the batch waits, ``next_try_at`` moving
  on exponentially (``backoff_delay``), and this run stops. Nothing is lost.
* 409 on one statement: the store already holds a statement with its id, so it was sent before.
* another 4xx: a batch is split and each statement sent alone, so one bad statement does not hold
  back the others; a statement refused alone is ``failed``, with the store's answer, until HR
  retries it (``statements_retry``).
"""

import datetime
import json
from dataclasses import dataclass, field

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import XapiStatement, XapiStatementStatus

WAIT_STATUSES = {401, 403, 404, 407, 408, 429}
LEASE = datetime.timedelta(minutes=5)  # a claimed batch is someone else's again after this


def xapi_enabled() -> bool:
    return bool(settings.XAPI_LRS_ENDPOINT)


def statement_record(statement: dict, *, actor_name: str = "") -> XapiStatement | None:
    """Put ``statement`` in the outbox, in the caller's transaction; send it once that commits."""
    if not xapi_enabled():
        return None
    now = timezone.now()
    row = XapiStatement.objects.create(
        id=statement["id"],
        verb=statement["verb"]["display"]["en-US"],
        object_id=statement["object"]["id"][:500],
        actor_name=actor_name or statement["actor"]["account"]["name"],
        statement=statement,
        created_at=now,
        next_try_at=now,
    )
    transaction.on_commit(_send_soon, robust=True)  # the event stands even if queueing fails
    return row


def _send_soon() -> None:
    from training.tasks import send_soon  # tasks imports this module

    send_soon()


def backoff_delay(attempts: int) -> datetime.timedelta:
    """Wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min… at most ``XAPI_RETRY_MAX_SECONDS``."""
    seconds = settings.XAPI_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.XAPI_RETRY_MAX_SECONDS))


def _retry_after(response: httpx.Response) -> datetime.timedelta:
    try:
        return datetime.timedelta(seconds=max(0, int(response.headers.get("Retry-After", "0"))))
    except ValueError:
        return datetime.timedelta(0)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    delayed: int = 0
    errors: list[str] = field(default_factory=list)
    next_try_at: datetime.datetime | None = None

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "delayed": self.delayed,
            "next_try_at": self.next_try_at.isoformat() if self.next_try_at else None,
        }


class _Wait(Exception):
    """The store cannot take statements now; try the batch later."""

    def __init__(self, message: str, at_least: datetime.timedelta = datetime.timedelta(0)):
        super().__init__(message)
        self.at_least = at_least


def _client() -> httpx.Client:
    auth = httpx.BasicAuth(settings.XAPI_LRS_KEY, settings.XAPI_LRS_SECRET) if settings.XAPI_LRS_KEY else None
    return httpx.Client(
        auth=auth,
        timeout=settings.XAPI_LRS_TIMEOUT_SECONDS,
        headers={"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"},
    )


def _statements_url() -> str:
    return settings.XAPI_LRS_ENDPOINT.rstrip("/") + "/statements"


def _answer(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:1000]}"


def _post(client: httpx.Client, rows: list[XapiStatement]) -> httpx.Response:
    try:
        response = client.post(_statements_url(), content=json.dumps([row.statement for row in rows]))
    except httpx.HTTPError as error:
        raise _Wait(f"{type(error).__name__}: {error}") from error
    if response.status_code >= 500 or response.status_code in WAIT_STATUSES:
        raise _Wait(_answer(response), _retry_after(response) if response.status_code == 429 else datetime.timedelta(0))
    return response


def _claim(*, now: datetime.datetime, include_waiting: bool, size: int) -> list[XapiStatement]:
    """The next batch, oldest first, leased for a while so another worker passes it over."""
    with transaction.atomic():
        due = XapiStatement.objects.filter(status=XapiStatementStatus.PENDING)
        if not include_waiting:
            due = due.filter(next_try_at__lte=now)
        rows = list(due.select_for_update(skip_locked=True).order_by("created_at", "id")[:size])
        XapiStatement.objects.filter(pk__in=[row.pk for row in rows]).update(next_try_at=now + LEASE)
    return rows


def _mark_sent(rows: list[XapiStatement], now: datetime.datetime, note: str = "") -> None:
    for row in rows:
        XapiStatement.objects.filter(pk=row.pk).update(
            status=XapiStatementStatus.SENT, sent_at=now, next_try_at=None, attempts=row.attempts + 1, last_error=note
        )


def _mark_waiting(rows: list[XapiStatement], now: datetime.datetime, wait: _Wait) -> datetime.datetime:
    latest = now
    for row in rows:
        attempts = row.attempts + 1
        next_try_at = now + max(backoff_delay(attempts), wait.at_least)
        latest = max(latest, next_try_at)
        XapiStatement.objects.filter(pk=row.pk).update(
            attempts=attempts, next_try_at=next_try_at, last_error=str(wait)[:2000]
        )
    return latest


def _send_batch(client: httpx.Client, rows: list[XapiStatement], now: datetime.datetime, report: SendReport) -> None:
    """Send ``rows``; raises ``_Wait`` (rows untouched) when the store cannot take them now."""
    response = _post(client, rows)
    if response.is_success:
        _mark_sent(rows, now)
        report.sent += len(rows)
        return
    if len(rows) > 1:  # 409 or another 4xx: find out which statement it is about
        for row in rows:
            try:
                _send_batch(client, [row], now, report)
            except _Wait as wait:
                rest = rows[rows.index(row) :]
                report.next_try_at = _mark_waiting(rest, now, wait)
                report.delayed += len(rest)
                report.errors.append(str(wait))
                raise _Stop from wait
        return
    row = rows[0]
    if response.status_code == 409:
        _mark_sent(rows, now, note=f"The store already had this statement. {_answer(response)}"[:2000])
        report.sent += 1
        return
    XapiStatement.objects.filter(pk=row.pk).update(
        status=XapiStatementStatus.FAILED, next_try_at=None, attempts=row.attempts + 1, last_error=_answer(response)
    )
    report.failed += 1
    report.errors.append(_answer(response))


class _Stop(Exception):
    """Part of a split batch waits: this run is over."""


def outbox_send(
    *, now: datetime.datetime | None = None, include_waiting: bool = False, client: httpx.Client | None = None
) -> SendReport:
    """Send what is due, batch after batch, until nothing is due or the store cannot take more.
    ``include_waiting`` also sends statements whose back-off has not run out (``xapi_send --all``);
    once a batch went through, the store is back, so the waiting ones follow at once anyway."""
    report = SendReport()
    if not xapi_enabled():
        return report
    now = now or timezone.now()
    owned = client is None
    client = client or _client()
    try:
        while rows := _claim(now=now, include_waiting=include_waiting, size=settings.XAPI_BATCH_SIZE):
            try:
                _send_batch(client, rows, now, report)
            except _Wait as wait:
                report.next_try_at = _mark_waiting(rows, now, wait)
                report.delayed += len(rows)
                report.errors.append(str(wait))
                break
            except _Stop:
                break
            include_waiting = include_waiting or report.sent > 0
        if report.delayed:  # the store is down for every statement: the untried ones wait as long
            XapiStatement.objects.filter(status=XapiStatementStatus.PENDING, next_try_at__lt=report.next_try_at).update(
                next_try_at=report.next_try_at
            )
    finally:
        if owned:
            client.close()
    if report.next_try_at is None:
        report.next_try_at = (
            XapiStatement.objects.filter(status=XapiStatementStatus.PENDING)
            .order_by("next_try_at")
            .values_list("next_try_at", flat=True)
            .first()
        )
    return report


def statements_retry(*, ids) -> int:
    """HR asks to send failed statements again (after the cause was fixed): they are due now."""
    now = timezone.now()
    count = XapiStatement.objects.filter(pk__in=list(ids), status=XapiStatementStatus.FAILED).update(
        status=XapiStatementStatus.PENDING, next_try_at=now
    )
    if count:
        transaction.on_commit(_send_soon, robust=True)
    return count
