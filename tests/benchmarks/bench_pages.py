"""Employee pages against a plain Wagtail page serving the same content (DESIGN §5: within 2×).

Run on demand:  .venv/bin/python tests/benchmarks/bench_pages.py [--rounds 200]
Uses a throwaway SQLite database (or DATABASE_URL) built with the demo content.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cms.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from wagtail.models import Page

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    from attest.models import Assignment
    from training.models import ChapterPage

    assignment = Assignment.objects.open().filter(employee__email="emma.wilson@northwind.example").first()
    slug = "security"
    client = Client()
    client.force_login(assignment.employee.user)
    journey_url = f"/training/{assignment.pk}/chapters/{slug}/"
    chapter = ChapterPage.objects.get(slug=slug, locale__language_code="en")
    # The baseline: Wagtail serving the live chapter itself, through the same middleware.
    ChapterPage.serve = Page.serve

    def plain_wagtail():
        response = client.get(chapter.url)
        assert response.status_code == 200
        return response

    def journey():
        response = client.get(journey_url)
        assert response.status_code == 200
        return response

    results = {}
    for name, fn in [
        ("plain Wagtail page (live chapter, Page.serve)", plain_wagtail),
        ("journey chapter page", journey),
    ]:
        fn()
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            fn()
        timings = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            fn()
            timings.append(time.perf_counter() - start)
        results[name] = statistics.median(timings)
        print(
            f"{name:<45} median {results[name] * 1000:7.2f} ms   p95 {sorted(timings)[int(len(timings) * 0.95)] * 1000:7.2f} ms   {len(queries)} queries"
        )
    plain, ours = results.values()
    print(f"ratio journey / plain: {ours / plain:.2f}× (target ≤ 2×)")


if __name__ == "__main__":
    main()
