"""Deadline burst benchmark (DESIGN §5, issue 7 item 4): 10,000 attestations from 64 concurrent
clients against gunicorn on PostgreSQL, ≥ 200 per second, none lost, none twice, chain intact.

    .venv/bin/python tests/benchmarks/bench_burst.py [--attestations 10000] [--clients 64]
        [--workers 4] [--worker-class sync|gthread] [--threads 1] [--kill-worker] [--keep-db]

What it does:

1. Drops and recreates the PostgreSQL database ``bench_burst`` (``--database-url`` to change the
   server or name; the database is dropped again afterwards unless ``--keep-db``), migrates it
   and collects static files into a temporary directory. Server and script run the production
   settings (``cms.settings.production``: Redis cache, ``DEBUG = False``, the production password
   hasher and rate limits) through a small overlay module written to the temporary directory,
   which changes only ``STATIC_ROOT``. Plain HTTP on 127.0.0.1 needs nothing else relaxed:
   ``DJANGO_SECURE_SSL_REDIRECT=0`` comes from the environment, and the client sends cookies
   itself whatever their ``Secure`` flag. No rate limit is consumed on this path (the signing
   form's password limit applies only when the password is asked for).
2. Writes the English demo policy through the real review workflow and releases it (material
   version), then bulk-creates N employees (a usable password, one shared hash), one open
   assignment each under an ad hoc campaign due tomorrow, and the reading progress and passing
   quiz attempt for every chapter of their track (5% are on the official team track).
3. Creates one logged-in session per employee directly with the session store, carrying the
   authentication records allauth keeps: the login, and a re-authentication a moment ago. The
   signing form therefore asks for no password, and every record must say
   ``auth_method="reauthentication"``. The re-authentication is valid for
   ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` (300 s), so sessions are written just before the run.
4. Starts ``gunicorn cms.wsgi`` (``--workers``, ``--worker-class``, ``--threads``, ``--preload``)
   on a free port, warms every worker up with GETs of the signing page, then runs ``--clients``
   threads. Each takes employees from a shared queue: GET ``/training/<id>/sign/`` (reads the
   CSRF cookie and token), POST ``typed_name`` and ``confirm``, expects 302 to the assignment.
   A failed exchange (connection reset, 5xx, timeout) is retried from the GET: if the first POST
   did commit, the GET answers 302 (the assignment is complete) and that counts as acknowledged.
5. With ``--kill-worker``, SIGKILLs one worker process (never the master) once ``--kill-at`` of
   the attestations are done; gunicorn starts a replacement.
6. Verifies: every acknowledged assignment has exactly one attestation, no assignment or
   (employee, version) has two, every record carries every field as sent (typed name, statement,
   content hash, re-authentication, IP, user agent, quiz results), every assignment points at
   its attestation, the lane heads add up, and ``manage.py verify_attestations`` exits 0.

Reports total time, attestations per second, latency percentiles (GET, POST and the whole
exchange), status and error counts, retries. Exits 1 if any check fails or the rate is under
``--target`` (200/s).
"""

import argparse
import collections
import datetime
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

USER_AGENT = "bench-burst/1.0 (deadline burst benchmark)"
PASSWORD = "bench-burst-password-0123"  # noqa: S105 - synthetic accounts, hashed once
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FIRST_NAMES = ["Emma", "Oliver", "Ingrid", "Håkon", "Søren", "Chloé", "Léa", "José", "Lucía", "Åse", "Jørgen", "Zoé"]
LAST_NAMES = ["Wilson", "Ødegård", "Sørensen", "Dubois", "Núñez", "García", "Strøm", "Lefèvre", "Møller", "Grant"]
LANGUAGES = ["en", "nb", "da", "fr", "es"]

OVERLAY = '''"""Written by tests/benchmarks/bench_burst.py: the production settings, static files in a temp dir."""
from cms.settings.production import *  # noqa: F403

STATIC_ROOT = {static_root!r}
# Releasing the policy notifies reviewers by email; no mail server is part of this benchmark.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
'''


# ---------------------------------------------------------------------------------------------
# Setup: database, settings, data
# ---------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attestations", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL one worker mid-run")
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction done when the worker is killed")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_burst")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--target", type=float, default=200.0, help="attestations per second to reach")
    parser.add_argument("--retries", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare_environment(options, workdir: Path) -> dict:
    """Environment for this process, ``manage.py`` and gunicorn: production settings via an overlay."""
    static_root = workdir / "static"
    (workdir / "bench_burst_settings.py").write_text(OVERLAY.format(static_root=str(static_root)))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_burst_settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": options.database_url,
        "REDIS_URL": options.redis_url,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    os.environ.update(env)
    sys.path.insert(0, str(workdir))
    return {**os.environ, **env}


def recreate_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    url = urllib.parse.urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    url = urllib.parse.urlsplit(database_url)
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.path.lstrip("/")))
        )


def step(label: str, function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"  {label:<46} {time.perf_counter() - started:7.1f} s", flush=True)
    return result


def release_policy():
    """The English demo policy, through review, released as a material version 1.0."""
    from cms.models import HomePage
    from tests import factories
    from training.content import policy_create, review_and_publish

    spec = json.loads((ROOT / "fixtures" / "policy" / "en.json").read_text(encoding="utf-8"))
    editor, reviewer = factories.editor_and_reviewer()
    policy = policy_create(parent=HomePage.objects.get(), spec=spec, owner=editor)
    review_and_publish(policy, editor=editor, reviewer=reviewer)
    for chapter in policy.get_children().specific():
        review_and_publish(chapter, editor=editor, reviewer=reviewer)
    return factories.release(policy, number="1.0", material=True, key_changes="Deadline burst release")


def _bulk(model, objects, batch=5000):
    for start in range(0, len(objects), batch):
        model.objects.bulk_create(objects[start : start + batch])


def create_people(count: int, version, rng: random.Random, tag: str = "burst") -> list[dict]:
    """Employees who have read every chapter and passed every quiz, each with an open assignment."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from attest.models import Assignment, Employee, Requirement, RequirementKind
    from training.models import PolicyVersionChapter, QuizAttempt, ReadingProgress

    today = timezone.localdate()
    now = timezone.now()
    requirement = Requirement.objects.create(
        name="Deadline burst campaign",
        policy=version.policy,
        kind=RequirementKind.AD_HOC,
        due_date=today + datetime.timedelta(days=1),
        starts_on=today - datetime.timedelta(days=30),
    )
    password = make_password(PASSWORD)
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            {
                "email": f"{tag}{index:06d}@bench.example",
                "first_name": first,
                "last_name": f"{last}-{index}",
                "language": rng.choice(LANGUAGES),
                "track": "official" if rng.random() < 0.05 else "all",
            }
        )
    user_model = get_user_model()
    users = [
        user_model(
            username=p["email"],
            email=p["email"],
            password=password,
            first_name=p["first_name"],
            last_name=p["last_name"],
        )
        for p in people
    ]
    _bulk(user_model, users)
    employees = [
        Employee(
            user=user,
            employee_id=f"{tag}{index:06d}",
            email=p["email"],
            first_name=p["first_name"],
            last_name=p["last_name"],
            department="Retail",
            location="Oslo",
            hire_date=datetime.date(2020, 1, 1),
            language=p["language"],
            track=p["track"],
        )
        for index, (p, user) in enumerate(zip(people, users, strict=True))
    ]
    _bulk(Employee, employees)
    assigned_on = today - datetime.timedelta(days=14)
    assignments = [
        Assignment(
            employee=employee,
            requirement=requirement,
            version=version,
            assigned_on=assigned_on,
            due_on=requirement.due_date,
            started_at=now - datetime.timedelta(days=2),
        )
        for employee in employees
    ]
    _bulk(Assignment, assignments)

    chapters = list(
        PolicyVersionChapter.objects.filter(version=version, locale__language_code="en")
        .select_related("revision")
        .order_by("position")
    )
    quizzes = {}
    for chapter in chapters:
        questions = list(chapter.page.questions)
        quizzes[chapter.pk] = (
            [{"question": q.id, "options": list(range(len(q.value["options"])))} for q in questions],
            {q.id: [i for i, option in enumerate(q.value["options"]) if option["is_correct"]] for q in questions},
        )
    readings, attempts = [], []
    read_at = now - datetime.timedelta(days=1)
    for user, p in zip(users, people, strict=True):
        for chapter in chapters:
            if chapter.track == "official" and p["track"] != "official":
                continue
            readings.append(
                ReadingProgress(
                    user=user,
                    version=version,
                    chapter_key=chapter.chapter_key,
                    locale_code="en",
                    first_read_at=read_at,
                    last_read_at=read_at,
                )
            )
            if chapter.has_quiz:
                presented, answers = quizzes[chapter.pk]
                attempts.append(
                    QuizAttempt(
                        id=uuid.uuid4(),
                        user=user,
                        version=version,
                        chapter_key=chapter.chapter_key,
                        locale_code="en",
                        number=1,
                        presented=presented,
                        answers=answers,
                        score=100,
                        passed=True,
                        started_at=read_at,
                        submitted_at=read_at + datetime.timedelta(minutes=2),
                    )
                )
    _bulk(ReadingProgress, readings)
    _bulk(QuizAttempt, attempts)
    for p, user, employee, assignment in zip(people, users, employees, assignments, strict=True):
        p.update(user=user, employee_pk=employee.pk, assignment_id=assignment.pk, full_name=employee.full_name)
    print(
        f"  {'':<46}          {count:,} employees, {len(readings):,} chapters read, "
        f"{len(attempts):,} quizzes passed, {len(chapters)} chapters in the version",
        flush=True,
    )
    return people


def create_sessions(people: list[dict]) -> None:
    """One signed-in session per employee, with allauth's login and re-authentication records and
    what the product's login adapter adds (the employee's language, whether to show the admin link).

    Written where a real sign-in leaves them: the database row and, with the production
    ``cached_db`` engine, the cached copy that every later request reads."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from cms.context_processors import ADMIN_LINK_SESSION_KEY
    from cms.middleware import EMPLOYEE_LANGUAGE_SESSION_KEY

    store = SessionStore()
    expires = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    now = time.time()
    rows, cached = [], {}
    for p in people:
        key = get_random_string(32, VALID_KEY_CHARS)
        data = {
            SESSION_KEY: str(p["user"].pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: p["user"].get_session_auth_hash(),
            AUTHENTICATION_METHODS_SESSION_KEY: [
                {"method": "password", "at": now - 600, "email": p["email"]},
                {"method": "password", "at": now, "reauthenticated": True},
            ],
            _AUTHENTICATION_METHODS_USER_SESSION_KEY: str(p["user"].pk),
            EMPLOYEE_LANGUAGE_SESSION_KEY: p["language"],
            ADMIN_LINK_SESSION_KEY: False,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        cached[KEY_PREFIX + key] = data
        p["session"] = key
    _bulk(Session, rows)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db":
        caches[settings.SESSION_CACHE_ALIAS].set_many(cached, timeout=settings.SESSION_COOKIE_AGE)


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(options, env: dict, port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "cms.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(options.workers),
        "--worker-class",
        options.worker_class,
        "--threads",
        str(options.threads),
        "--preload",
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--error-logfile",
        str(log_path),
        "--no-control-socket",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer /healthz in 90 s; see {log_path}")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            pids.append(int(entry.name))
    return sorted(pids)


def process_cpu(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all processes of the machine have used (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU used during the run by the gunicorn workers, their PostgreSQL backends, this process
    (the clients) and everything else on the machine. Polled, so a killed worker's and its
    backend's CPU up to their last poll still count."""

    def __init__(self, master: int, database: str):
        self.master, self.database = master, database
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}

    def _pids(self) -> dict[int, str]:
        import psycopg

        pids = {pid: "gunicorn" for pid in [self.master, *worker_pids(self.master)]}
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            for (pid,) in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.database]
            ):
                pids[pid] = "postgres"
        return pids

    def begin(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.client0, self.machine0, self.wall0 = time.process_time(), machine_busy(), time.perf_counter()
        self.poll()
        self.start = dict(self.last)

    def poll(self) -> None:
        for pid, kind in self._pids().items():
            used = process_cpu(pid)
            if used is not None:
                self.kind[pid] = kind
                self.start.setdefault(pid, 0.0)  # born during the run: all of it counts
                self.last[pid] = used

    def end(self) -> dict[str, float]:
        self.poll()
        totals = collections.Counter()
        for pid, used in self.last.items():
            totals[self.kind[pid]] += used - self.start.get(pid, 0.0)
        totals["clients"] = time.process_time() - self.client0
        totals["machine"] = machine_busy() - self.machine0
        totals["others"] = max(0.0, totals["machine"] - totals["gunicorn"] - totals["postgres"] - totals["clients"])
        totals["wall"] = time.perf_counter() - self.wall0
        return totals


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------------------------
# The clients
# ---------------------------------------------------------------------------------------------


class Retry(Exception):
    """The exchange failed in a way a real browser (or user) would retry."""


class Failed(Exception):
    """The server answered something a retry would not fix."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.get_latency: list[float] = []
        self.post_latency: list[float] = []
        self.exchange_latency: list[float] = []
        self.statuses = collections.Counter()
        self.errors = collections.Counter()
        self.error_samples: dict[str, str] = {}
        self.acknowledged: dict[int, str] = {}  # assignment id -> "post" or "get-redirect"
        self.failed: dict[int, str] = {}
        self.retries = 0
        self.done = 0

    def error(self, kind: str, sample: str = "") -> None:
        with self.lock:
            self.errors[kind] += 1
            self.error_samples.setdefault(kind, sample[:300])


class Client(threading.Thread):
    def __init__(self, port: int, jobs: "collections.deque", stats: Stats, retries: int):
        super().__init__(daemon=True)
        self.port, self.jobs, self.stats, self.retries = port, jobs, stats, retries
        self.connection = None

    def _request(self, method: str, path: str, headers: dict, body: bytes | None = None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = None
            self.stats.error(f"{method} {type(error).__name__}", str(error))
            raise Retry from error
        elapsed = time.perf_counter() - started
        if response.will_close:
            self.connection.close()
            self.connection = None
        with self.stats.lock:
            self.stats.statuses[f"{method} {response.status}"] += 1
        if response.status >= 500:
            self.stats.error(f"{method} {response.status}", data[:300].decode(errors="replace"))
            raise Retry
        return response, data, elapsed

    def sign(self, person: dict) -> str:
        path = f"/training/{person['assignment_id']}/sign/"
        done_location = f"/training/{person['assignment_id']}/"
        cookie = f"sessionid={person['session']}"
        headers = {"User-Agent": USER_AGENT, "Cookie": cookie}
        started = time.perf_counter()
        response, body, get_elapsed = self._request("GET", path, headers)
        if response.status == 302 and response.getheader("Location") == done_location:
            return "get-redirect"  # a previous attempt committed; the server says it is complete
        if response.status != 200:
            raise Failed(f"GET {response.status} {response.getheader('Location')}")
        token = CSRF_INPUT.search(body)
        csrf_cookie = next(
            (c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")),
            None,
        )
        if not token or not csrf_cookie:
            raise Failed("GET 200 without a CSRF token")
        if b'name="password"' in body:
            raise Failed("the form asks for a password: the re-authentication expired or was not recognised")
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "typed_name": person["full_name"], "confirm": "on"}
        ).encode()
        post_headers = {
            **headers,
            "Cookie": f"{cookie}; {csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        response, body, post_elapsed = self._request("POST", path, post_headers, form)
        if response.status != 302 or response.getheader("Location") != done_location:
            raise Failed(f"POST {response.status} {response.getheader('Location')} {body[:200]!r}")
        with self.stats.lock:
            self.stats.get_latency.append(get_elapsed)
            self.stats.post_latency.append(post_elapsed)
            self.stats.exchange_latency.append(time.perf_counter() - started)
        return "post"

    def run(self):
        while True:
            try:
                person = self.jobs.popleft()
            except IndexError:
                return
            for attempt in range(self.retries + 1):
                try:
                    outcome = self.sign(person)
                except Retry:
                    with self.stats.lock:
                        self.stats.retries += 1
                    time.sleep(0.05 * (attempt + 1))
                    continue
                except Failed as error:
                    self.stats.error("refused: " + " ".join(str(error).split()[:2]), str(error))
                    with self.stats.lock:
                        self.stats.failed[person["assignment_id"]] = str(error)
                        self.stats.done += 1
                    break
                with self.stats.lock:
                    self.stats.acknowledged[person["assignment_id"]] = outcome
                    self.stats.done += 1
                break
            else:
                with self.stats.lock:
                    self.stats.failed[person["assignment_id"]] = "gave up after retries"
                    self.stats.done += 1


def warm_up(port: int, people: list[dict], count: int) -> None:
    """GET the signing page (no side effects) enough times for every worker to load everything."""

    def fetch(person):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "GET", f"/training/{person['assignment_id']}/sign/", headers={"Cookie": f"sessionid={person['session']}"}
        )
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"warm-up GET answered {response.status}")

    threads = [threading.Thread(target=fetch, args=(people[i % len(people)],)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_load(options, port: int, people: list[dict], master: int, meter: CpuMeter) -> tuple[Stats, float, dict]:
    stats = Stats()
    jobs = collections.deque(people)
    clients = [Client(port, jobs, stats, options.retries) for _ in range(options.clients)]
    kill = {}
    started = time.perf_counter()
    for client in clients:
        client.start()
    last_report, last_done, last_poll = started, 0, started
    while any(client.is_alive() for client in clients):
        time.sleep(0.05)
        now = time.perf_counter()
        if now - last_poll >= 1:
            meter.poll()
            last_poll = now
        if options.kill_worker and not kill and stats.done >= options.kill_at * len(people):
            victims = worker_pids(master)
            victim = victims[len(victims) // 2]
            meter.poll()
            os.kill(victim, signal.SIGKILL)
            kill = {"pid": victim, "at": now - started, "done": stats.done, "workers": victims}
            print(f"  SIGKILL worker {victim} (of {victims}) at {now - started:.1f} s, {stats.done:,} done", flush=True)
        if now - last_report >= 5:
            print(
                f"  {now - started:6.1f} s  {stats.done:>7,} done  {(stats.done - last_done) / (now - last_report):7.1f}/s",
                flush=True,
            )
            last_report, last_done = now, stats.done
    elapsed = time.perf_counter() - started
    if kill:
        kill["workers_after"] = worker_pids(master)
    return stats, elapsed, kill


# ---------------------------------------------------------------------------------------------
# Checks and report
# ---------------------------------------------------------------------------------------------


def verify(people: list[dict], stats: Stats, version, env: dict) -> list[str]:
    from django.db import connection
    from django.db.models import Count

    from attest.models import Assignment, Attestation, AttestationChainHead, AuthMethod
    from attest.services import attestation_statement
    from training.models import PolicyVersionLocale

    connection.close()
    problems = []
    by_assignment = {p["assignment_id"]: p for p in people}
    records = {}
    duplicates = list(
        Attestation.objects.values("assignment_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("assignment_id", "n")
    )
    duplicates += list(
        Attestation.objects.values("employee_id", "version_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("employee_id", "n")
    )
    for record in Attestation.objects.all().iterator(chunk_size=2000):
        records[record.assignment_id] = record
    acknowledged = set(stats.acknowledged)
    lost = sorted(acknowledged - set(records))
    unacknowledged = sorted(set(records) - acknowledged)
    sha = PolicyVersionLocale.objects.get(version=version, locale__language_code="en").content_sha256
    quiz_chapters = {
        track: version.chapters.filter(locale__language_code="en", has_quiz=True, track__in=tracks).count()
        for track, tracks in (("all", ["all"]), ("official", ["all", "official"]))
    }
    wrong = collections.Counter()
    for assignment_id, record in records.items():
        p = by_assignment.get(assignment_id)
        if p is None:
            wrong["attestation for an unknown assignment"] += 1
            continue
        expected = {
            "typed_name": p["full_name"],
            "employee_id": p["employee_pk"],
            "user_id": p["user"].pk,
            "auth_method": AuthMethod.REAUTHENTICATION,
            "ip_address": "127.0.0.1",
            "user_agent": USER_AGENT,
            "content_sha256": sha,
            "locale_code": "en",
            "version_id": version.pk,
            "corrects_id": None,
        }
        for field, value in expected.items():
            if getattr(record, field) != value:
                wrong[f"{field} differs"] += 1
        if len(record.quiz_results) != quiz_chapters[p["track"]] or not all(r["passed"] for r in record.quiz_results):
            wrong["quiz results incomplete"] += 1
        if not record.statement.startswith(f"I, {p['full_name']},"):
            wrong["statement"] += 1
    statement = (
        attestation_statement(name=next(iter(records.values())).employee.full_name, version=version, language="en")
        if records
        else ""
    )
    if records and statement != next(iter(records.values())).statement:
        wrong["statement differs from the one shown"] += 1
    pointers = dict(Assignment.objects.filter(pk__in=by_assignment).values_list("pk", "attestation_id"))
    mismatched = sum(1 for a, r in records.items() if pointers.get(a) != r.pk)
    open_after_ack = sum(1 for a in acknowledged if pointers.get(a) is None)
    head_total = sum(AttestationChainHead.objects.values_list("seq", flat=True))

    print("\nChecks")
    print(
        f"  acknowledged (POST 302)                         {sum(1 for v in stats.acknowledged.values() if v == 'post'):>8,}"
    )
    print(
        f"  acknowledged on retry (GET 302: already signed) {sum(1 for v in stats.acknowledged.values() if v != 'post'):>8,}"
    )
    print(f"  not acknowledged (gave up / refused)            {len(stats.failed):>8,}")
    print(f"  attestations in the database                    {len(records):>8,}")
    print(f"  duplicates (per assignment or employee+version) {len(duplicates):>8,}")
    print(f"  lost (acknowledged, not in the database)        {len(lost):>8,}")
    print(f"  in the database but never acknowledged          {len(unacknowledged):>8,}")
    print(f"  assignments not pointing at their attestation   {mismatched + open_after_ack:>8,}")
    print(f"  records with a field not as sent                {sum(wrong.values()):>8,}  {dict(wrong) or ''}")
    print(f"  lane heads' total seq                           {head_total:>8,}")
    if duplicates:
        problems.append(f"{len(duplicates)} duplicate attestation(s): {duplicates[:5]}")
    if lost:
        problems.append(f"{len(lost)} acknowledged attestation(s) missing: {lost[:5]}")
    if stats.failed:
        problems.append(f"{len(stats.failed)} employee(s) never acknowledged: {list(stats.failed.items())[:3]}")
    if unacknowledged:
        problems.append(f"{len(unacknowledged)} attestation(s) never acknowledged: {unacknowledged[:5]}")
    if wrong:
        problems.append(f"records not as sent: {dict(wrong)}")
    if mismatched or open_after_ack:
        problems.append(f"{mismatched + open_after_ack} assignment(s) do not point at their attestation")
    if head_total != len(records):
        problems.append(f"lane heads count {head_total} records, the table has {len(records)}")
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), "verify_attestations"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    print(f"  manage.py verify_attestations: exit {result.returncode}: {(result.stdout + result.stderr).strip()[:500]}")
    if result.returncode != 0:
        problems.append("verify_attestations failed")
    connection.close()
    return problems


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)

    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (
        f"p50 {at(0.50):7.1f} ms   p95 {at(0.95):7.1f} ms   p99 {at(0.99):7.1f} ms   max {ordered[-1] * 1000:7.1f} ms"
    )


def report_cpu(cpu: dict[str, float], acknowledged: int) -> None:
    if not acknowledged:
        return
    per = {kind: 1000 * seconds / acknowledged for kind, seconds in cpu.items() if kind not in ("wall", "machine")}
    cores = os.cpu_count() or 1
    ours = per["gunicorn"] + per["postgres"] + per["clients"]
    print(
        f"  CPU per attestation       gunicorn {per['gunicorn']:.1f} ms + PostgreSQL {per['postgres']:.1f} ms"
        f" + clients {per['clients']:.1f} ms = {ours:.1f} ms"
    )
    print(
        f"  machine during the run    {100 * cpu['machine'] / (cpu['wall'] * cores):.0f}% of {cores} cores busy;"
        f" other processes used {cpu['others']:.1f} CPU s ({100 * cpu['others'] / (cpu['wall'] * cores):.0f}% of the machine)"
    )
    print(
        f"  ceiling on an idle machine {1000 * cores / ours:7.0f} attestations/s (server and clients),"
        f" {1000 * cores / (per['gunicorn'] + per['postgres']):.0f}/s (server alone)"
    )


def report(options, stats: Stats, elapsed: float, kill: dict) -> float:
    acknowledged = len(stats.acknowledged)
    rate = acknowledged / elapsed if elapsed else 0.0
    print("\nResults")
    print(
        f"  server: gunicorn --workers {options.workers} --worker-class {options.worker_class} --threads {options.threads} --preload"
    )
    print(f"  clients: {options.clients} threads; attestations: {options.attestations:,}; CPUs: {os.cpu_count()}")
    print(f"  total time                {elapsed:8.2f} s")
    print(
        f"  attestations per second   {rate:8.1f}   (target {options.target:.0f}: {'OK' if rate >= options.target else 'BELOW TARGET'})"
    )
    print(f"  GET sign page             {percentiles(stats.get_latency)}")
    print(f"  POST signature            {percentiles(stats.post_latency)}")
    print(f"  whole exchange            {percentiles(stats.exchange_latency)}")
    print(f"  statuses                  {dict(sorted(stats.statuses.items()))}")
    print(f"  errors                    {dict(stats.errors) or 'none'}   retries: {stats.retries}")
    for kind, sample in stats.error_samples.items():
        print(f"    {kind}: {sample!r}")
    if kill:
        print(
            f"  killed worker {kill['pid']} at {kill['at']:.1f} s ({kill['done']:,} done); workers before {kill['workers']}, after {kill['workers_after']}"
        )
    return rate


def main() -> int:
    options = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    env = prepare_environment(options, workdir)
    print(
        f"Deadline burst: {options.attestations:,} attestations, {options.clients} clients, database {options.database_url}"
    )
    print("Setup")
    step("drop and create the database", recreate_database, options.database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    step("migrate", call_command, "migrate", verbosity=0)
    step("collectstatic (temporary STATIC_ROOT)", call_command, "collectstatic", interactive=False, verbosity=0)
    version = step("write, review and release the policy", release_policy)
    people = step(
        "employees, assignments, reading, quizzes",
        create_people,
        options.attestations,
        version,
        random.Random(options.seed),
    )
    connection.close()

    port = free_port()
    log_path = workdir / "gunicorn.log"
    server = step("start gunicorn", start_gunicorn, options, env, port, log_path)
    problems: list[str] = []
    try:
        step("sessions with a fresh re-authentication", create_sessions, people)
        connection.close()
        step("warm up every worker (GETs only)", warm_up, port, people, 8 * options.workers * options.threads)
        print(f"Run (gunicorn master {server.pid}, workers {worker_pids(server.pid)}, port {port})")
        url = urllib.parse.urlsplit(options.database_url)
        meter = CpuMeter(server.pid, url.path.lstrip("/"))
        meter.begin(urllib.parse.urlunsplit(url._replace(path="/postgres")))
        stats, elapsed, kill = run_load(options, port, people, server.pid, meter)
        cpu = meter.end()
    finally:
        stop_gunicorn(server)
    rate = report(options, stats, elapsed, kill)
    report_cpu(cpu, len(stats.acknowledged))
    problems += verify(people, stats, version, env)
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    tracebacks = log.count("Traceback")
    if tracebacks:
        print(f"  gunicorn log has {tracebacks} traceback(s): {log_path}")
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
    else:
        print("\nAll checks passed: no lost and no duplicate attestations; the chain verifies.")
    if not options.keep_db:
        drop_database(options.database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Kept the database ({options.database_url}) and {workdir}")
    return 1 if problems or rate < options.target else 0


if __name__ == "__main__":
    sys.exit(main())
