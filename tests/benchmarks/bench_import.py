"""Roster import benchmark (DESIGN §5): 100,000 rows in under 30 s; re-importing is a no-op.

    .venv/bin/python tests/benchmarks/bench_import.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python tests/benchmarks/bench_import.py

It generates a realistic roster (a reporting tree, 20 departments, 8 locations, five languages,
people on leave, leavers and future hires), creates a throwaway test database (an on-disk file
for SQLite, ``test_<name>`` on PostgreSQL) with a released policy and three requirements, then
times a first import (users, employees, managers, audit log, assignments, queued invitations),
a re-import of the same file, and a re-import with 1% of the rows changed. Your own data is
never touched. Tasks go to the database queue, as in production: sending the invitations is the
worker's job and is not timed here.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django  # noqa: E402

DEPARTMENTS = [f"Department {n:02d}" for n in range(20)]
LOCATIONS = ["Oslo", "Copenhagen", "London", "Paris", "Madrid", "Bergen", "Lyon", "Aarhus"]
LANGUAGES = ["en", "fr", "es", "da", "nb"]
SPAN = 8  # people per manager


def roster_rows(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    start = datetime.date(2010, 1, 1)
    rows = []
    for index in range(count):
        roll = rng.random()
        status = "terminated" if roll < 0.01 else "leave" if roll < 0.03 else "active"
        hire = start + datetime.timedelta(days=rng.randrange(365 * 17))
        rows.append(
            [
                f"B{index:07d}",
                f"person{index}@bench.example",
                rng.choice(["Ada", "Bjørn", "Chloé", "Diego", "Emma", "Freja", "Håkon", "Inés"]),
                f"Surname{index}",
                DEPARTMENTS[index % len(DEPARTMENTS)],
                rng.choice(LOCATIONS),
                f"B{(index - 1) // SPAN:07d}" if index else "",
                hire.isoformat(),
                rng.choice(LANGUAGES),
                "official" if rng.random() < 0.05 else "all",
                status,
            ]
        )
    return rows


def write_roster(path: Path, rows: list[list[str]]) -> Path:
    from attest.roster import COLUMNS

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def timed(label: str, function):
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    print(f"{label:<34} {seconds:8.2f} s")
    return seconds, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(workdir / "bench.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            return run(options.rows, workdir)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(count: int, workdir: Path) -> int:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from attest.models import Assignment, Employee, RequirementKind
    from attest.roster import roster_import
    from tests import factories

    print(f"Database: {connection.vendor}; rows: {count:,}")
    version = factories.release(factories.published_policy())
    today = datetime.date.today()
    factories.requirement(
        version.policy, kind=RequirementKind.ONBOARDING, due_days=30, starts_on=today - datetime.timedelta(days=365)
    )
    factories.requirement(version.policy, kind=RequirementKind.ANNUAL, due_days=30, starts_on=today)
    factories.requirement(version.policy, kind=RequirementKind.AD_HOC, due_date=today + datetime.timedelta(days=45))

    started = time.perf_counter()
    rows = roster_rows(count)
    path = write_roster(workdir / "roster.csv", rows)
    print(f"{'Generate CSV':<34} {time.perf_counter() - started:8.2f} s   {path.stat().st_size / 1e6:.1f} MB")

    def summary(result):
        if result.errors:
            return f"ERRORS: {[str(e) for e in result.errors[:5]]}"
        return (
            f"created={result.created:,} updated={result.updated:,} unchanged={result.unchanged:,} "
            f"deactivated={result.deactivated:,} invited={result.invited:,}"
        )

    first, result = timed("First import", lambda: roster_import(source=path))
    print(f"{'':<34} {'':>8}     {summary(result)}")
    print(
        f"{'':<34} {'':>8}     employees={Employee.objects.count():,} assignments={Assignment.objects.count():,} "
        f"queued tasks={DBTaskResult.objects.count():,}"
    )
    _seconds, result = timed("Re-import, same file", lambda: roster_import(source=path))
    print(f"{'':<34} {'':>8}     {summary(result)}")

    rng = random.Random(11)  # noqa: S311
    for row in rng.sample(rows, k=max(1, count // 100)):
        row[4] = rng.choice(DEPARTMENTS)
        row[10] = rng.choice(["active", "leave", "terminated"])
    changed_path = write_roster(workdir / "roster-changed.csv", rows)
    _seconds, result = timed("Dry run (preview), 1% changed", lambda: roster_import(source=changed_path, dry_run=True))
    print(f"{'':<34} {'':>8}     {summary(result)}")
    _seconds, result = timed("Re-import, 1% changed", lambda: roster_import(source=changed_path))
    print(f"{'':<34} {'':>8}     {summary(result)}")

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory: {peak:.0f} MB")
    print(f"First import: {count / first:,.0f} rows/s; budget 30 s: {'OK' if first < 30 else 'TOO SLOW'}")
    return 0 if first < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
