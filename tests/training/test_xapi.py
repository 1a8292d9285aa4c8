"""xAPI statements: what is recorded with each event, and how the outbox is sent (no network:
the store is httpx's mock transport; tests/e2e/test_xapi_lrs.py sends to a real one)."""

import datetime
import json

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from attest.models import Assignment
from attest.selectors import assignment_progress
from cms.simulation import complete_training
from training.models import XapiStatement, XapiStatementStatus
from training.services import quiz_attempt_start, quiz_attempt_submit, reading_record
from training.xapi.outbox import backoff_delay, outbox_send, statements_retry

ENDPOINT = "http://lrs.test/xAPI"
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def lrs(settings):
    settings.XAPI_LRS_ENDPOINT = ENDPOINT
    settings.XAPI_LRS_KEY = "key"
    settings.XAPI_LRS_SECRET = "secret"
    settings.WAGTAILADMIN_BASE_URL = SITE + "/"
    settings.XAPI_RETRY_BASE_SECONDS = 30
    settings.XAPI_RETRY_MAX_SECONDS = 3600
    settings.XAPI_BATCH_SIZE = 100


class Store:
    """A learning record store answering from a script: ``answers`` is consumed per request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return httpx.Response(answer, json={"detail": f"answer {answer}"}, headers={"Retry-After": "600"})

    def client(self):
        return httpx.Client(transport=httpx.MockTransport(self), headers={"X-Experience-API-Version": "1.0.3"})

    def sent_ids(self, index=-1):
        return [statement["id"] for statement in json.loads(self.requests[index].content)]


def _chapter(assignment):
    return assignment_progress(assignment).chapters[0].chapter


def test_nothing_is_recorded_without_an_endpoint(emma_assignment, django_assert_num_queries):
    chapter = _chapter(emma_assignment)
    with django_assert_num_queries(6):  # get_or_create, inside the savepoint of its transaction
        reading_record(user=emma_assignment.employee.user, chapter=chapter)
    complete_training(emma_assignment)
    assert not XapiStatement.objects.exists()


def test_a_chapter_read_is_an_experienced_statement_about_that_chapter(lrs, emma_assignment):
    chapter = _chapter(emma_assignment)
    reading_record(user=emma_assignment.employee.user, chapter=chapter)
    row = XapiStatement.objects.get()
    statement = row.statement
    version = emma_assignment.version
    assert statement["id"] == str(row.pk) and row.status == XapiStatementStatus.PENDING
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/experienced"
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": SITE, "name": emma_assignment.employee.employee_id},
    }
    assert "mbox" not in json.dumps(statement) and emma_assignment.employee.email not in json.dumps(statement)
    assert statement["object"]["id"] == (
        f"{SITE}/xapi/activities/policy/{version.policy_id}/version/1.0/chapter/{chapter.chapter_key}"
    )
    assert statement["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert statement["context"]["extensions"] == {
        f"{SITE}/xapi/extensions/policy-version": "1.0",
        f"{SITE}/xapi/extensions/chapter-sha256": chapter.text_sha256,
    }
    assert statement["context"]["language"] == "en"
    assert statement["timestamp"].endswith("Z")


def test_quiz_attempts_are_failed_then_passed_with_their_scaled_score(lrs, emma_assignment):
    user = emma_assignment.employee.user
    chapter = next(s.chapter for s in assignment_progress(emma_assignment).chapters if s.chapter.has_quiz)
    attempt = quiz_attempt_start(user=user, chapter=chapter)
    questions = {child.id: child.value for child in chapter.page.questions}
    wrong = {
        item["question"]: [next(i for i, o in enumerate(questions[item["question"]]["options"]) if not o["is_correct"])]
        for item in attempt.presented
    }
    quiz_attempt_submit(user=user, chapter=chapter, attempt_id=attempt.pk, answers=wrong)
    from cms.simulation import passing_answers

    attempt = quiz_attempt_start(user=user, chapter=chapter)
    quiz_attempt_submit(user=user, chapter=chapter, attempt_id=attempt.pk, answers=passing_answers(chapter, attempt))
    failed, passed = [row.statement for row in XapiStatement.objects.order_by("created_at")]
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed["result"] == {
        "score": {"scaled": 0.0, "raw": 0, "min": 0, "max": 100},
        "success": False,
        "completion": True,
    }
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    assert passed["object"]["id"].endswith(f"/chapter/{chapter.chapter_key}/quiz")
    assert passed["context"]["extensions"][f"{SITE}/xapi/extensions/attempt"] == 2


def test_signing_records_attested_and_completed_with_version_and_content_hash(lrs, emma_assignment):
    record = complete_training(emma_assignment)
    by_verb = {}
    for row in XapiStatement.objects.all():
        by_verb.setdefault(row.statement["verb"]["id"], []).append(row.statement)
    attested = by_verb["http://activitystrea.ms/schema/1.0/agree"]
    completed = by_verb["http://adlnet.gov/expapi/verbs/completed"]
    assert len(attested) == len(completed) == 1
    version_iri = f"{SITE}/xapi/activities/policy/{record.policy_id}/version/1.0"
    assert attested[0]["object"]["id"] == completed[0]["object"]["id"] == version_iri
    extensions = attested[0]["context"]["extensions"]
    assert extensions[f"{SITE}/xapi/extensions/policy-version"] == "1.0"
    assert extensions[f"{SITE}/xapi/extensions/content-sha256"] == record.content_sha256
    assert extensions[f"{SITE}/xapi/extensions/attestation-sha256"] == record.record_hash
    assert completed[0]["context"]["extensions"][f"{SITE}/xapi/extensions/assignment"] == emma_assignment.pk
    assert completed[0]["result"] == {"completion": True, "success": True}
    assert attested[0]["timestamp"] == completed[0]["timestamp"]
    assert Assignment.objects.get(pk=emma_assignment.pk).attestation_id == record.pk


def test_a_refused_event_records_no_statement(lrs, emma_assignment):
    """The outbox row is in the event's transaction: an attempt that cannot be graded leaves none."""
    from training.services import QuizError

    chapter = next(s.chapter for s in assignment_progress(emma_assignment).chapters if s.chapter.has_quiz)
    with pytest.raises(QuizError):
        quiz_attempt_submit(user=emma_assignment.employee.user, chapter=chapter, attempt_id="nope", answers={})
    assert not XapiStatement.objects.exists()


def test_back_off_doubles_from_the_base_up_to_the_cap(lrs):
    assert [backoff_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 8, 50)] == [
        30,
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]


def _pending(count, emma_assignment):
    user = emma_assignment.employee.user
    chapter = _chapter(emma_assignment)
    for _ in range(count):
        reading_record(user=user, chapter=chapter)
    return list(XapiStatement.objects.order_by("created_at", "id"))


def test_a_batch_is_posted_with_the_version_header_and_marked_sent(lrs, emma_assignment):
    rows = _pending(3, emma_assignment)
    store = Store(200)
    report = outbox_send(client=store.client())
    assert report.sent == 3 and len(store.requests) == 1
    request = store.requests[0]
    assert str(request.url) == ENDPOINT + "/statements" and request.method == "POST"
    assert request.headers["X-Experience-API-Version"] == "1.0.3"
    assert sorted(store.sent_ids()) == sorted(str(row.pk) for row in rows)
    assert set(XapiStatement.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_the_real_client_sends_basic_auth(lrs):
    from training.xapi.outbox import _client

    with _client() as client:
        assert client.auth._auth_header == httpx.BasicAuth("key", "secret")._auth_header
        assert client.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("connection refused"), 500, 503, 401, 404],
    ids=["down", "500", "503", "401", "404"],
)
def test_a_store_that_cannot_take_them_delays_the_batch_with_back_off(lrs, emma_assignment, answer):
    _pending(2, emma_assignment)
    now = timezone.now()
    store = Store(answer)
    report = outbox_send(now=now, client=store.client())
    assert report.delayed == 2 and report.sent == 0 and len(store.requests) == 1
    assert report.next_try_at == now + datetime.timedelta(seconds=30)
    rows = XapiStatement.objects.all()
    assert {(row.status, row.attempts, row.next_try_at) for row in rows} == {
        ("pending", 1, now + datetime.timedelta(seconds=30))
    }
    assert all(row.last_error for row in rows)

    later = now + datetime.timedelta(seconds=10)
    assert outbox_send(now=later, client=store.client()).delayed == 0, "not due yet"
    assert len(store.requests) == 1

    again = now + datetime.timedelta(seconds=31)
    outbox_send(now=again, client=store.client())
    assert {(row.attempts, row.next_try_at) for row in XapiStatement.objects.all()} == {
        (2, again + datetime.timedelta(seconds=60))
    }
    back = Store(200)
    assert outbox_send(now=again + datetime.timedelta(seconds=61), client=back.client()).sent == 2


def test_too_many_requests_waits_at_least_retry_after(lrs, emma_assignment):
    _pending(1, emma_assignment)
    now = timezone.now()
    outbox_send(now=now, client=Store(429).client())
    assert XapiStatement.objects.get().next_try_at == now + datetime.timedelta(seconds=600)


def test_one_bad_statement_fails_alone_and_the_rest_of_its_batch_is_sent(lrs, emma_assignment):
    rows = _pending(3, emma_assignment)
    bad = str(rows[1].pk)

    def answer(request):
        ids = [statement["id"] for statement in json.loads(request.content)]
        if bad in ids:
            return httpx.Response(400, json={"detail": "Invalid statement"})
        return httpx.Response(200, json=ids)

    report = outbox_send(client=Store(answer).client())
    assert (report.sent, report.failed) == (2, 1)
    failed = XapiStatement.objects.get(status=XapiStatementStatus.FAILED)
    assert str(failed.pk) == bad and failed.next_try_at is None
    assert failed.last_error == 'HTTP 400: {"detail":"Invalid statement"}'

    # HR retries it once the cause is fixed; it is due at once and goes with the next run.
    assert statements_retry(ids=[failed.pk]) == 1
    assert outbox_send(client=Store(200).client()).sent == 1
    assert XapiStatement.objects.filter(status=XapiStatementStatus.SENT).count() == 3


def test_a_conflict_on_one_statement_means_the_store_already_has_it(lrs, emma_assignment):
    _pending(1, emma_assignment)
    report = outbox_send(client=Store(409).client())
    row = XapiStatement.objects.get()
    assert report.sent == 1 and row.status == XapiStatementStatus.SENT
    assert row.last_error.startswith("The store already had this statement. HTTP 409")


def test_a_store_back_after_an_outage_gets_the_waiting_statements_with_the_next_new_one(lrs, emma_assignment):
    _pending(2, emma_assignment)
    now = timezone.now()
    outbox_send(now=now, client=Store(503).client())
    _pending(1, emma_assignment)  # a new event: due now, the two others wait
    store = Store(200)
    report = outbox_send(now=now + datetime.timedelta(seconds=1), client=store.client())
    assert report.sent == 3 and not XapiStatement.objects.filter(status="pending").exists()


def test_the_command_refuses_without_a_store_and_reports_what_it_sent(lrs, emma_assignment, settings, monkeypatch):
    _pending(2, emma_assignment)
    monkeypatch.setattr("training.xapi.outbox._client", lambda: Store(200).client())
    from io import StringIO

    out = StringIO()
    call_command("xapi_send", stdout=out)
    assert out.getvalue().strip() == "2 sent, 0 refused, 0 waiting."
    settings.XAPI_LRS_ENDPOINT = ""
    with pytest.raises(CommandError, match="XAPI_LRS_ENDPOINT is not set"):
        call_command("xapi_send")


def test_the_command_fails_loudly_while_the_store_is_down(lrs, emma_assignment, monkeypatch):
    _pending(1, emma_assignment)
    monkeypatch.setattr("training.xapi.outbox._client", lambda: Store(httpx.ConnectError("refused")).client())
    with pytest.raises(CommandError, match="ConnectError: refused. Next try at"):
        call_command("xapi_send", "--all")
    assert XapiStatement.objects.get().status == XapiStatementStatus.PENDING


def test_events_queue_the_sender_once_they_commit(
    lrs, emma_assignment, django_capture_on_commit_callbacks, monkeypatch
):
    """Tests run tasks immediately: the commit sends (here to a mock store)."""
    store = Store(200)
    monkeypatch.setattr("training.xapi.outbox._client", store.client)
    with django_capture_on_commit_callbacks(execute=True):
        reading_record(user=emma_assignment.employee.user, chapter=_chapter(emma_assignment))
    assert len(store.requests) == 1 and XapiStatement.objects.get().status == XapiStatementStatus.SENT
