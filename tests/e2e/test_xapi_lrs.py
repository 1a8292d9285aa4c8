"""xAPI end to end against a real learning record store: Ralph (tests/e2e/lrs, its own virtual
environment, made once by tests/e2e/lrs/install) with its file-system backend, on a free port of
this machine. Events go through the real services and views; the real task worker
(``db_worker``) and ``xapi_send`` send them. What Ralph stores must be exactly what was sent."""

import json
import os
import socket
import subprocess
import time
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from attest.selectors import assignment_progress
from cms.simulation import complete_training
from tests import factories
from training.models import XapiStatement, XapiStatementStatus

LRS = Path(__file__).parent / "lrs"
USER, SECRET = "policy-training", "lrs-test-secret-123"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    """One Ralph store; ``stop()`` and ``start()`` keep its data (an outage, not a new store)."""

    def __init__(self, workdir: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(workdir / "app"),
            "RALPH_AUTH_FILE": str(workdir / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
        }
        self.workdir = workdir
        self.process = None
        subprocess.run(  # noqa: S603
            [str(LRS / ".venv/bin/ralph"), "auth", "-u", USER, "-p", SECRET, "-s", "all", "-A", USER,
             "http://127.0.0.1", "-w"],
            env=self.env, check=True, capture_output=True, cwd=workdir,
        )  # fmt: skip

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [str(LRS / ".venv/bin/python"), str(LRS / "serve.py"), "127.0.0.1", str(self.port)],
            env=self.env, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=open(self.workdir / "lrs.log", "ab"),  # noqa: SIM115
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError(f"Ralph did not start: {(self.workdir / 'lrs.log').read_text()[-2000:]}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)

    def statements(self) -> list[dict]:
        found, url = [], f"{self.url}/statements?limit=100"
        while url:
            response = httpx.get(url, auth=(USER, SECRET), headers={"X-Experience-API-Version": "1.0.3"}, timeout=10)
            response.raise_for_status()
            body = response.json()
            found += body["statements"]
            url = f"http://127.0.0.1:{self.port}{body['more']}" if body.get("more") else ""
        return found


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    started = time.monotonic()
    subprocess.run([str(LRS / "install")], check=True, capture_output=True)  # noqa: S603
    store = Ralph(tmp_path_factory.mktemp("ralph"))
    store.start()
    print(f"Ralph ready in {time.monotonic() - started:.1f} s")  # noqa: T201
    yield store
    store.stop()


@pytest.fixture
def lrs(ralph, settings, monkeypatch):
    """Point the product at Ralph; run tasks with the real database worker."""
    settings.XAPI_LRS_ENDPOINT = ralph.url
    settings.XAPI_LRS_KEY, settings.XAPI_LRS_SECRET = USER, SECRET
    settings.XAPI_BATCH_SIZE = 4  # several batches
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    return ralph


def _worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO(), stderr=StringIO())


def _essentials(statement: dict) -> tuple:
    return (
        statement["id"],
        statement["verb"]["id"],
        statement["object"]["id"],
        json.dumps(statement["actor"], sort_keys=True),
        json.dumps(statement["context"].get("extensions", {}), sort_keys=True),
        json.dumps(statement.get("result"), sort_keys=True),
    )


def _training(django_capture_on_commit_callbacks):
    """One employee reads a chapter through the chapter page, then finishes and signs."""
    policy = factories.published_policy()
    version = factories.release(policy)
    person = factories.employee("Liam", "Berg")
    assignment = factories.assignment(person, version)
    client = Client()
    client.force_login(person.user)
    chapter = assignment_progress(assignment).chapters[0].chapter
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/training/{assignment.pk}/chapters/{chapter.slug}/")
        assert response.status_code == 302
        complete_training(assignment)
    return person


def test_statements_reach_the_store_exactly_as_recorded(lrs, db, django_capture_on_commit_callbacks):
    before = {statement["id"] for statement in lrs.statements()}
    person = _training(django_capture_on_commit_callbacks)
    rows = list(XapiStatement.objects.all())
    verbs = sorted(row.verb for row in rows)
    assert verbs.count("experienced") >= 2 and "passed" in verbs and "completed" in verbs and "agreed to" in verbs
    assert all(row.status == XapiStatementStatus.PENDING for row in rows), "queued, not yet sent"

    _worker()

    assert set(XapiStatement.objects.values_list("status", flat=True)) == {XapiStatementStatus.SENT}
    stored = [s for s in lrs.statements() if s["id"] not in before]
    assert sorted(map(_essentials, stored)) == sorted(_essentials(row.statement) for row in rows)
    assert {s["actor"]["account"]["name"] for s in stored} == {person.employee_id}

    # A batch sent again (a worker killed after its POST) is stored once: the ids are the statements'.
    XapiStatement.objects.update(status=XapiStatementStatus.PENDING, next_try_at="2000-01-01T00:00:00Z")
    call_command("xapi_send", stdout=StringIO())
    assert len([s for s in lrs.statements() if s["id"] not in before]) == len(rows)


def test_an_outage_delays_statements_and_loses_none(lrs, db, django_capture_on_commit_callbacks):
    before = {statement["id"] for statement in lrs.statements()}
    lrs.stop()
    try:
        _training(django_capture_on_commit_callbacks)
        _worker()
        rows = list(XapiStatement.objects.order_by("created_at", "id"))
        assert rows and {row.status for row in rows} == {XapiStatementStatus.PENDING}
        assert all(row.attempts == 1 and row.last_error.startswith("ConnectError") for row in rows[:4]), "one batch"
        assert all(row.attempts == 0 for row in rows[4:]), "the others were not tried, and wait as long"
        assert all(row.next_try_at > timezone.now() for row in rows)
        with pytest.raises(CommandError, match="ConnectError"):
            call_command("xapi_send", stdout=StringIO())  # nothing due: still nothing sent
            call_command("xapi_send", "--all", stdout=StringIO())
    finally:
        lrs.start()
    call_command("xapi_send", "--all", stdout=StringIO())
    call_command("xapi_send", "--all", stdout=StringIO())  # again: nothing left, nothing twice
    _worker()
    assert set(XapiStatement.objects.values_list("status", flat=True)) == {XapiStatementStatus.SENT}
    stored = [s for s in lrs.statements() if s["id"] not in before]
    assert sorted(map(_essentials, stored)) == sorted(_essentials(row.statement) for row in rows)
    assert len({s["id"] for s in stored}) == len(stored) == len(rows)
