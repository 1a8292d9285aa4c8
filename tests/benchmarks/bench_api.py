"""REST API benchmark: cursor pages at 100,000 employees stay as fast deep in the list as on the
first page, with the same number of queries, for an HR token and the top manager's token.

    .venv/bin/python tests/benchmarks/bench_api.py [--employees 100000] [--rounds 9] [--no-walk]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_api] [--keep-db] [--reuse-db]

What it does:

1. Drops and recreates the PostgreSQL database ``bench_api`` (``--reuse-db`` keeps a kept one),
   migrates it and runs ``generate_organisation --employees N``. Settings are
   ``cms.settings.test`` with ``DEBUG = False``, through Django's test client in this process
   (the times are the server's own, no HTTP).
2. Creates an HR token (every scope) and one for the top manager (everyone is in their line:
   the prefix test runs on every row).
3. For people, attestations, requirements and policy versions, with page sizes 10, 100 and 500:
   the first page and a page near the end of the list (a cursor built at the 95th percentile of
   the ids), median and p95 of ``--rounds`` requests after a warm-up, and the queries of each.
4. The compliance figures (``/api/v1/compliance/``), unfiltered and by the largest department.
5. Unless ``--no-walk``: every person, following the ``next`` links 500 at a time, as an HR
   system's nightly sync would; total time and people per second.

Bars: the deep page costs the same number of queries as the first; a page of 100 under 0.5 s
(median). Exits 1 if a bar is missed.
"""

import argparse
import base64
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_reports import (  # noqa: E402
    Results,
    database_exists,
    generate,
    other_benchmarks,
    percentile,
    recreate_database,
    timed,
)

PAGE_BAR = 0.5  # seconds, median, page of 100
PAGE_SIZES = (10, 100, 500)
RESOURCES = ("people", "attestations", "requirements", "policy-versions")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=9, help="timed requests per page, after a warm-up")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true")
    parser.add_argument("--no-walk", action="store_true", help="skip reading every person page by page")
    return parser.parse_args()


def tokens() -> dict[str, str]:
    from attest.api.models import ApiScope
    from attest.api.tokens import api_token_create
    from attest.models import Employee

    top = Employee.objects.filter(manager__isnull=True, reports__isnull=False).order_by("pk").first()
    _hr, hr = api_token_create(name="bench HR", scopes=list(ApiScope.values))
    _top, manager = api_token_create(name="bench top manager", scopes=list(ApiScope.values), manager=top)
    return {"HR": hr, "top manager": manager}


def deep_cursor(model) -> str:
    """A cursor at the 95th percentile of the ids, as DRF's CursorPagination encodes one."""
    ids = model.objects.order_by("id").values_list("id", flat=True)
    total = ids.count()
    position = ids[max(0, int(total * 0.95) - 1)] if total else 0
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def measure(client, secret: str, url: str, params: dict, rounds: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get():
        response = client.get(url, params, **headers)
        assert response.status_code == 200, (url, params, response.status_code, response.content[:300])
        return response

    get()
    with CaptureQueriesContext(connection) as context:
        response = get()
    queries = len(context.captured_queries)
    timings = [timed(get)[0] for _round in range(rounds)]
    return timings, queries, len(response.json().get("results", []))


def report(label: str, timings: list[float], queries: int, rows: int) -> None:
    print(
        f"  {label:<58} median {statistics.median(timings) * 1000:7.1f} ms  p95 {percentile(timings, 0.95) * 1000:7.1f} ms"
        f"  {queries:2d} queries  {rows:4d} rows",
        flush=True,
    )


def pages(client, secrets: dict, rounds: int, results: Results) -> None:
    from attest.models import Attestation, Employee, Requirement
    from training.models import PolicyVersion

    models = {
        "people": Employee,
        "attestations": Attestation,
        "requirements": Requirement,
        "policy-versions": PolicyVersion,
    }
    cursors = {resource: deep_cursor(model) for resource, model in models.items()}
    for who, secret in secrets.items():
        print(f"\n{who} token")
        for resource in RESOURCES:
            url = f"/api/v1/{resource}/"
            for size in PAGE_SIZES:
                first = measure(client, secret, url, {"page_size": size}, rounds)
                deep = measure(client, secret, url, {"page_size": size, "cursor": cursors[resource]}, rounds)
                report(f"{resource}, {size} a page, first page", *first)
                report(f"{resource}, {size} a page, page at the 95th percentile", *deep)
                label = f"{who}: {resource} at {size} a page, queries deep / first"
                results.check(label, deep[1], first[1], "queries", deep[1] == first[1] or deep[2] == 0)
                if size == 100:
                    median = statistics.median(deep[0] + first[0])
                    results.check(f"{who}: {resource}, a page of 100", median, PAGE_BAR, "s", median <= PAGE_BAR)


def compliance(client, secrets: dict, rounds: int) -> None:
    from django.db.models import Count

    from attest.models import Employee

    largest = Employee.objects.values("department").annotate(n=Count("pk")).order_by("-n").first()["department"]
    print("\ncompliance figures")
    for who, secret in secrets.items():
        for params in ({}, {"department": largest}):
            report(f"{who}, {params or 'no filter'}", *measure(client, secret, "/api/v1/compliance/", params, rounds))


def walk(client, secret: str) -> None:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    started, rows, requests = time.perf_counter(), 0, 0
    response = client.get("/api/v1/people/", {"page_size": 500}, **headers)
    while True:
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        rows += len(page["results"])
        requests += 1
        if not page["next"]:
            break
        response = client.get(page["next"], **headers)
    seconds = time.perf_counter() - started
    print(
        f"\nevery person, 500 a page: {rows:,} people in {requests} requests, {seconds:.1f} s, {rows / seconds:,.0f} people/s"
    )


def main() -> int:
    options = parse_args()
    os.environ["DATABASE_URL"] = options.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    print(f"REST API benchmark: {options.employees:,} employees, database {options.database_url}")
    print(
        f"Load average {os.getloadavg()[0]:.2f}; other benchmarks running: {other_benchmarks() or 'none'}", flush=True
    )
    reuse = options.reuse_db and database_exists(options.database_url)
    if not reuse:
        recreate_database(options.database_url)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.DEBUG = False
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_token": "1000000/min"}}
    results = Results()
    try:
        if not reuse:
            seconds, _none = timed(lambda: call_command("migrate", verbosity=0))
            print(f"migrate: {seconds:.1f} s", flush=True)
            generate(options.employees, results)
        client = Client()
        secrets = tokens()
        pages(client, secrets, options.rounds, results)
        compliance(client, secrets, options.rounds)
        if not options.no_walk:
            walk(client, secrets["HR"])
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep_db:
            recreate_database(options.database_url, drop_only=True)
    print(
        f"\nLoad average {os.getloadavg()[0]:.2f}; other benchmarks running at the end: {other_benchmarks() or 'none'}"
    )
    if results.missed:
        print("BARS MISSED:\n  " + "\n  ".join(results.missed))
        return 1
    print("All bars met.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
